// The questions the recovery step's readers ask: gets and pages of every entity, each with MySQL's answer to it.
import { seededRandom } from '../random.js';
import type { EntityName } from '../results.js';
import type { ReadAnswer } from './judge.js';

/** One read: the projection path asked, and MySQL's answer to the same question (its /db twin). */
export interface Question {
  readonly entity: EntityName;
  readonly path: string;
  readonly expected: ReadAnswer;
}

export interface QuestionPlan {
  /** Gets by id per entity; a tenth as many cursor pages and as many offset pages. */
  readonly getsPerEntity: number;
  /** Rows per page (the scenarios' list limit). */
  readonly pageLimit: number;
  /** Deepest offset the /db routes answer (DB_MAX_OFFSET): a deeper projection page has no MySQL fallback (503). */
  readonly dbMaxOffset: number;
  readonly seed: number;
}

/** What the runtime says of an entity before the outage: rows (the list's total) and the largest id. */
export interface EntityExtent {
  readonly total: number;
  readonly maxId: number;
}

/** The /db twin of a projection path: `/en/orders/projection/7` → `/en/orders/db/7`. */
export function dbPathOf(projectionPath: string): string {
  return projectionPath.replace(/^(\/en\/\w+\/)projection(?=[/?]|$)/, '$1db');
}

/**
 * The projection paths of the sample, drawn with the bench's seeded PRNG: ids up to 1% past the largest (a true 404
 * must stay a 404), cursor pages anywhere, offset pages within what MySQL answers.
 */
export function questionPaths(entity: EntityName, extent: EntityExtent, plan: QuestionPlan): string[] {
  const random = seededRandom(plan.seed);
  const below = (n: number) => Math.floor(random() * n);
  const base = `/en/${entity}/projection`;
  const paths: string[] = [];
  const idRange = extent.maxId + Math.max(1, Math.ceil(extent.maxId / 100));
  for (let i = 0; i < plan.getsPerEntity; i++) paths.push(`${base}/${1 + below(idRange)}`);
  const pages = Math.max(1, Math.ceil(plan.getsPerEntity / 10));
  const deepest = Math.max(0, Math.min(extent.total - 1, plan.dbMaxOffset));
  for (let i = 0; i < pages; i++) {
    paths.push(`${base}?limit=${plan.pageLimit}&after=${below(extent.maxId + 1)}`);
    paths.push(`${base}?limit=${plan.pageLimit}&offset=${below(deepest + 1)}`);
  }
  return paths;
}

async function answer(url: string): Promise<ReadAnswer> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

/** The entity's rows and largest id, as the runtime answers them (the last row of the projection list, checked on /db). */
export async function entityExtent(baseUrl: string, entity: EntityName): Promise<EntityExtent> {
  const first = await answer(`${baseUrl}/en/${entity}/db?limit=1`);
  if (first.status !== 200) throw new Error(`GET /en/${entity}/db?limit=1 answered ${first.status}: ${first.body.slice(0, 200)}`);
  const total = (JSON.parse(first.body) as { total: number }).total;
  if (total === 0) return { total, maxId: 0 };
  const last = await answer(`${baseUrl}/en/${entity}/projection?limit=1&offset=${total - 1}`);
  const maxId = (JSON.parse(last.body) as Record<string, { id: number }[]>)[entity]?.[0]?.id;
  const after = maxId === undefined ? undefined : await answer(`${baseUrl}/en/${entity}/db?limit=1&after=${maxId}`);
  if (maxId === undefined || after?.status !== 200 || (JSON.parse(after.body) as Record<string, unknown[]>)[entity]?.length !== 0) {
    throw new Error(`${entity}: the projections' last row (${maxId ?? 'none'}) is not MySQL's; rebuild them first (make rebuild-projections)`);
  }
  return { total, maxId };
}

/** Runs `work` for 0 … count - 1, at most `concurrency` at a time. */
export async function atMost(concurrency: number, count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    for (let i = next++; i < count; i = next++) await work(i);
  }));
}

/** Each path with MySQL's answer, asked `concurrency` at a time. */
export async function askMysql(baseUrl: string, entity: EntityName, paths: readonly string[], concurrency = 8): Promise<Question[]> {
  const questions: Question[] = new Array(paths.length);
  await atMost(concurrency, paths.length, async (i) => {
    questions[i] = { entity, path: paths[i]!, expected: await answer(`${baseUrl}${dbPathOf(paths[i]!)}`) };
  });
  return questions;
}
