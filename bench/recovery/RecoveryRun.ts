// The read model's recovery time (its RTO) as a bench step: a runtime serving readers loses its read model (the
// read model's keys deleted from Redis) and heals it by itself; measured: the time until /healthz says ok again,
// every read judged against MySQL's answer to the same question (wrong answers: must be 0), reads during the window.
// Talks to the runtime over HTTP only; Redis is touched once, to delete the read model (the fault injected).
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { ENTITY_NAMES, loadConfig, readModelKeys, type Config } from '../../core/index.js';
import { findFreePort, launchRuntime, type LaunchedRuntime } from '../../runtimes/launcher.js';
import { parsePrometheusText } from '../prometheusText.js';
import { waitForReadModel } from '../run.js';
import type { BenchResults, EntityName, RecoveryResult, RuntimeName } from '../results.js';
import { judgeRead, READ_OUTCOMES, wrongAnswers, type ReadOutcome } from './judge.js';
import { askMysql, atMost, entityExtent, questionPaths, type Question } from './questions.js';

export interface RecoveryOptions {
  readonly runtime: RuntimeName;
  /** Concurrent readers (each asks one question at a time). */
  readonly readers: number;
  /** Gets by id per entity in the sample (and a tenth as many cursor and offset pages). */
  readonly getsPerEntity: number;
  /** Give up when /healthz is not ok this long after the outage. */
  readonly timeoutSec: number;
  /** Reads before the outage, to see the readers served from Redis first. */
  readonly steadySec: number;
  /** Folder of the runtime's log. */
  readonly logDir: string;
  /** Told every second while the read model heals. */
  readonly onProgress?: (line: string) => void;
  /** Variables added to the runtime's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export const RECOVERY_DEFAULTS = { runtime: 'uws', readers: 8, getsPerEntity: 200, timeoutSec: 900, steadySec: 1 } as const;

type Counts = Record<ReadOutcome, number>;
const zero = (): Counts => ({ right: 0, wrong: 0, unavailable: 0, error: 0 });

/** The readers' tally: reads by outcome before the outage, in the window (outage to healthy), and the last one not right. */
class Tally {
  readonly before = zero();
  readonly window = zero();
  readonly after = zero();
  readonly wrongExamples: string[] = [];
  lastNotRightAt = 0;

  constructor(private readonly clock: { outageAt: number; healthyAt: number }) {}

  record(question: Question, outcome: ReadOutcome, startedAt: number, endedAt: number, got: string): void {
    const { outageAt, healthyAt } = this.clock;
    const phase = outageAt === 0 || startedAt < outageAt ? this.before : healthyAt === 0 || startedAt < healthyAt ? this.window : this.after;
    phase[outcome]++;
    if (outcome !== 'right' && outageAt > 0) this.lastNotRightAt = Math.max(this.lastNotRightAt, endedAt);
    if (outcome === 'wrong' && this.wrongExamples.length < 5) {
      this.wrongExamples.push(`${question.path}: ${got.slice(0, 160)} (MySQL: ${question.expected.status} ${question.expected.body.slice(0, 80)})`);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until `stop()`, each question judged against MySQL's answer. */
function startReaders(baseUrl: string, questions: readonly Question[], count: number, tally: Tally): { stop(): Promise<void> } {
  let running = true;
  const reader = async (n: number) => {
    for (let i = n; running; i += count) {
      const question = questions[i % questions.length]!;
      const startedAt = performance.now();
      let got: { status: number; body: string } | null = null;
      try {
        const response = await fetch(`${baseUrl}${question.path}`);
        got = { status: response.status, body: await response.text() };
      } catch {
        await sleep(10); // refused or reset: do not spin
      }
      tally.record(question, judgeRead(question.expected, got), startedAt, performance.now(), got ? `${got.status} ${got.body}` : 'no answer');
    }
  };
  const all = Promise.all(Array.from({ length: count }, (_, n) => reader(n)));
  return { async stop() { running = false; await all; } };
}

/** Every question once: how many were answered right (the check after healing, and the premise before the outage). */
async function askAll(baseUrl: string, questions: readonly Question[], concurrency: number): Promise<{ checked: number; right: number; wrong: string[] }> {
  let right = 0;
  const wrong: string[] = [];
  await atMost(concurrency, questions.length, async (i) => {
    const question = questions[i]!;
    const response = await fetch(`${baseUrl}${question.path}`).then(async (r) => ({ status: r.status, body: await r.text() }), () => null);
    if (judgeRead(question.expected, response) === 'right') right++;
    else wrong.push(`${question.path}: ${response ? `${response.status} ${response.body.slice(0, 120)}` : 'no answer'}`);
  });
  return { checked: questions.length, right, wrong };
}

async function metricSamples(baseUrl: string) {
  const response = await fetch(`${baseUrl}/metrics`);
  return parsePrometheusText(await response.text());
}

async function health(baseUrl: string): Promise<{ status?: string; read_model?: string } | undefined> {
  return fetch(`${baseUrl}/healthz`).then((r) => r.json() as Promise<{ status?: string; read_model?: string }>, () => undefined);
}

/**
 * One recovery measurement on a fresh runtime: the sample asked of MySQL, the premise checked (every projection read
 * right before the outage), readers started, the read model's keys deleted, /healthz polled every 100 ms until ok,
 * then every question asked once more. Fails when the premise does not hold; `timeToHealthyMs` is null when the
 * runtime did not heal within the timeout.
 */
export async function measureRecovery(options: RecoveryOptions, config: Config = loadConfig()): Promise<RecoveryResult> {
  const say = (line: string) => options.onProgress?.(line);
  const runtime = await launchRuntime({ name: options.runtime, port: await findFreePort(), env: { ...options.env }, logFile: join(options.logDir, `recovery-${options.runtime}.log`) });
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    const url = runtime.url;
    await waitForReadModel(url, config.redisPrefix, options.timeoutSec * 1000);
    const questions: Question[] = [];
    const data = {} as Record<EntityName, number>;
    for (const [n, entity] of ENTITY_NAMES.entries()) {
      const extent = await entityExtent(url, entity);
      if (extent.total === 0) throw new Error(`no ${entity} to read; seed first (make seed)`);
      data[entity] = extent.total;
      const paths = questionPaths(entity, extent, { getsPerEntity: options.getsPerEntity, pageLimit: 50, dbMaxOffset: config.dbMaxOffset, seed: 1_000 + n });
      questions.push(...await askMysql(url, entity, paths));
    }
    const unanswerable = questions.filter((q) => q.expected.status !== 200 && q.expected.status !== 404);
    if (unanswerable.length > 0) throw new Error(`MySQL did not answer ${unanswerable.length} questions, e.g. ${unanswerable[0]!.path}: ${unanswerable[0]!.expected.status}`);
    const premise = await askAll(url, questions, options.readers);
    if (premise.right !== premise.checked) {
      throw new Error(`before the outage, ${premise.checked - premise.right} of ${premise.checked} projection reads differ from MySQL, e.g. ${premise.wrong[0]}; rebuild them first (make rebuild-projections)`);
    }
    say(`recovery: ${options.runtime}, ${questions.length} questions (${ENTITY_NAMES.map((e) => `${data[e]} ${e}`).join(', ')}), all answered right from Redis; ${options.readers} readers`);

    const fallbacksBefore = sumOf(await metricSamples(url), 'cqrs_read_model_fallback_reads_total');
    const clock = { outageAt: 0, healthyAt: 0 };
    const tally = new Tally(clock);
    const readers = startReaders(url, questions, options.readers, tally);
    let sawDegraded: string | undefined;
    try {
      await sleep(options.steadySec * 1000);
      const keys = readModelKeys(config.redisPrefix);
      await redis.unlink(...keys);
      clock.outageAt = performance.now();
      say(`recovery: read model deleted (${keys.length} keys under ${config.redisPrefix}); waiting for /healthz to say ok`);
      let lastSaid = -Infinity; // a line at the first poll, then every second
      while (clock.healthyAt === 0) {
        const state = await health(url);
        const now = performance.now(); // when the answer came: healthy at the latest then
        if (state?.status === 'ok') clock.healthyAt = now;
        else if (state?.read_model) sawDegraded ??= state.read_model;
        if (now - clock.outageAt > options.timeoutSec * 1000) break;
        if (now - lastSaid >= 1000) {
          lastSaid = now;
          const w = tally.window;
          say(`recovery: ${((now - clock.outageAt) / 1000).toFixed(1)} s, read model ${state?.read_model ?? 'unknown'}: ${w.right + w.wrong + w.unavailable + w.error} reads, ` +
            `${w.right} right, ${w.wrong} wrong, ${w.unavailable} unavailable, ${w.error} errors`);
        }
        if (clock.healthyAt === 0) await sleep(100);
      }
    } finally {
      await readers.stop();
    }
    const afterHealthy = await askAll(url, questions, options.readers);
    const samples = await metricSamples(url);
    const result: RecoveryResult = {
      runtime: options.runtime,
      measuredAt: new Date().toISOString(),
      data,
      readers: options.readers,
      questions: questions.length,
      degradedAs: sawDegraded ?? null,
      timeToHealthyMs: clock.healthyAt > 0 ? Math.round(clock.healthyAt - clock.outageAt) : null,
      timeToRightMs: Math.round(Math.max(0, tally.lastNotRightAt - clock.outageAt)),
      before: tally.before,
      window: tally.window,
      after: tally.after,
      fallbackReads: sumOf(samples, 'cqrs_read_model_fallback_reads_total') - fallbacksBefore,
      afterHealthy: { checked: afterHealthy.checked, right: afterHealthy.right },
      rebuild: rebuildFigures(samples),
      wrongExamples: [...tally.wrongExamples, ...afterHealthy.wrong.slice(0, 5 - tally.wrongExamples.length)],
    };
    say(`recovery: ${recoverySummary(result)}`);
    return result;
  } finally {
    redis.disconnect();
    await runtime.stop();
  }
}

/** One line: time to healthy, wrong answers, reads in the window, rebuild rates. */
export function recoverySummary(r: RecoveryResult): string {
  const reads = READ_OUTCOMES.reduce((sum, o) => sum + r.window[o], 0);
  const rates = ENTITY_NAMES.map((e) => {
    const figures = r.rebuild[e];
    return figures && figures.seconds > 0 ? `${e} ${Math.round(figures.rows / figures.seconds)}/s` : `${e} –`;
  }).join(', ');
  return `${r.runtime}: healthy ${r.timeToHealthyMs === null ? 'NOT within the timeout' : `after ${(r.timeToHealthyMs / 1000).toFixed(2)} s`}, ` +
    `${wrongAnswers(r)} wrong answers, ${reads} reads during the window (${r.window.unavailable} unavailable, ${r.window.error} errors, ${r.fallbackReads} answered from MySQL); rebuild ${rates}`;
}

function sumOf(samples: ReturnType<typeof parsePrometheusText>, name: string): number {
  return samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
}

/** The keeper's last rebuild, per entity, from its gauges. */
function rebuildFigures(samples: ReturnType<typeof parsePrometheusText>): RecoveryResult['rebuild'] {
  const figures: Partial<Record<EntityName, { rows: number; seconds: number }>> = {};
  for (const entity of ENTITY_NAMES) {
    const rows = samples.find((s) => s.name === 'cqrs_read_model_rebuild_rows' && s.labels.entity === entity)?.value;
    const seconds = samples.find((s) => s.name === 'cqrs_read_model_rebuild_seconds' && s.labels.entity === entity)?.value;
    if (rows !== undefined && seconds !== undefined) figures[entity] = { rows, seconds };
  }
  return figures;
}

/** The results with these measurements in, replacing any of the same runtime at the same data size. */
export function withRecovery(results: BenchResults, measured: readonly RecoveryResult[]): BenchResults {
  const same = (a: RecoveryResult, b: RecoveryResult) => a.runtime === b.runtime && a.data.products === b.data.products;
  const kept = (results.recovery ?? []).filter((r) => !measured.some((m) => same(r, m)));
  return { ...results, recovery: [...kept, ...measured].sort((a, b) => a.data.products - b.data.products || a.runtime.localeCompare(b.runtime)) };
}
