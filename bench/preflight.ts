import { entityNamed, loadConfig } from '../core/index.js';
import type { EntityName, Operation, RuntimeName, Source } from './results.js';
import { scenarioPath, type Scenarios } from './scenarios.js';

export interface PreflightResult {
  readonly checked: number;
  readonly problems: string[];
}

/**
 * Ids of an entity's live rows, as the runtime lists them from MySQL (the ids a get scenario draws from),
 * read page by page with the cursor so that a large table never makes one huge answer.
 */
export async function fetchIds(baseUrl: string, entity: EntityName): Promise<number[]> {
  const ids: number[] = [];
  const limit = Math.min(500, loadConfig().pageMaxLimit);
  for (let after: number | null = 0; after !== null;) {
    const url = `${baseUrl}/en/${entity}/db?limit=${limit}&after=${after}`;
    const response = await fetch(url);
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
    const body = (await response.json()) as Record<string, unknown> & { next_after: number | null };
    ids.push(...(body[entity] as { id: number }[]).map((row) => row.id));
    after = body.next_after;
  }
  return ids;
}

function shapeProblem(body: unknown, entity: EntityName, operation: Operation): string | undefined {
  const record = body as Record<string, unknown> | null;
  if (!record || typeof record !== 'object') return 'not a JSON object';
  if (operation === 'list') {
    if (!Array.isArray(record[entity])) return `no "${entity}" array`;
    if (typeof record.total !== 'number') return 'no numeric "total"';
    if ((record[entity] as unknown[]).length === 0) return 'an empty list';
    return undefined;
  }
  // A get answers under the entity's singular name: { "product": {...} }.
  const { type } = entityNamed(entity);
  const item = record[type] as { id?: unknown } | undefined;
  return typeof item?.id === 'number' ? undefined : `no "${type}" with an id`;
}

/**
 * Before anything is timed: every endpoint of the scenarios answers 200 with the right shape on every
 * runtime, and the same body on all of them (and from MySQL and from Redis). A benchmark of answers that
 * differ, or of errors, would measure nothing.
 */
export async function preflight(urls: ReadonlyMap<RuntimeName, string>, scenarios: Scenarios, listQuery = scenarios.listQuery): Promise<PreflightResult> {
  const problems: string[] = [];
  let checked = 0;
  const [firstUrl] = urls.values();
  if (!firstUrl) return { checked, problems: ['no runtime to check'] };
  for (const entity of scenarios.entities) {
    const ids = await fetchIds(firstUrl, entity);
    if (ids.length === 0) {
      problems.push(`${entity}: no rows; seed first (make seed)`);
      continue;
    }
    const id = ids[Math.floor(ids.length / 2)]!;
    for (const operation of ['get', 'list'] as const) {
      const bodies = new Map<string, string>();
      for (const source of ['db', 'redis'] as Source[]) {
        const path = scenarioPath(scenarios, entity, source, operation, id, listQuery);
        for (const [runtime, url] of urls) {
          checked++;
          const response = await fetch(`${url}${path}`);
          const text = await response.text();
          const where = `${runtime} GET ${path}`;
          if (response.status !== 200) {
            problems.push(`${where}: status ${response.status}`);
            continue;
          }
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            problems.push(`${where}: not JSON`);
            continue;
          }
          const problem = shapeProblem(body, entity, operation);
          if (problem) problems.push(`${where}: ${problem}`);
          bodies.set(`${runtime} ${source}`, text);
        }
      }
      const distinct = new Set(bodies.values());
      if (distinct.size > 1) {
        problems.push(`${entity} ${operation}: bodies differ between ${[...bodies.keys()].join(', ')} (${distinct.size} variants)`);
      }
    }
  }
  return { checked, problems };
}
