// One scenario against a fresh runtime started with the current environment (e.g. UWS_WORKERS=16): get by random
// id then a page (`make k6-<runtime>-<entity>-<db|redis>`), the entity's commands at each of writes.connections
// (`make k6-<runtime>-<entity>-write`) or the mixed scenario (`make k6-<runtime>-mixed`); entry point
// cli/loadtest.ts. Runs k6 where
// it is installed, else k6 in Docker where Docker works, else the same scenario through the bench's own driver;
// says which, and where to watch (k6 remote-writes to Prometheus; the fallback driver does not).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../core/index.js';
import { findFreePort, launchRuntime, type RuntimeName } from '../runtimes/launcher.js';
import { selectDriver, type Driver } from './drivers/index.js';
import { k6Command, remoteWriteEnv } from './k6/K6Command.js';
import { watchHints } from './k6/WatchHint.js';
import { measureCell } from './measure.js';
import { cellId } from './plan.js';
import { fetchIds } from './preflight.js';
import type { EntityName, Operation, Source } from './results.js';
import { loadScenarios, type Scenarios } from './scenarios.js';
import type { CellPlan } from './plan.js';

/** `read`: get then list from `source`; `write`: each command of `entity` at each connection count; `mixed`: the mixed scenario. */
export type LoadTestKind = 'read' | 'write' | 'mixed';

export interface LoadTestOptions {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly kind?: LoadTestKind;
  readonly quick: boolean;
}

/** The runs of a load test, in order: what each sends and at how many connections. */
export function loadTestRuns(scenarios: Scenarios, options: Pick<LoadTestOptions, 'entity' | 'source' | 'kind' | 'quick'>): { operation: Operation; source: Source; connections: number }[] {
  if (options.kind === 'mixed') return [{ operation: 'mixed', source: 'redis', connections: scenarios.mixed.connections }];
  if (options.kind === 'write') {
    const counts = options.quick ? scenarios.writes.quick.connections : scenarios.writes.connections;
    return (Object.keys(scenarios.writes.commands[options.entity]) as Operation[]).flatMap((operation) => counts.map((connections) => ({ operation, source: 'db' as const, connections })));
  }
  return (['get', 'list'] as const).map((operation) => ({ operation, source: options.source, connections: scenarios.connections }));
}

type Runner = 'k6' | 'docker' | 'node';

const K6_SCRIPT = fileURLToPath(new URL('../../bench/k6/scenario.js', import.meta.url));

function available(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/** k6 where installed, else k6 in Docker where Docker runs, else the bench's own driver. */
function chooseRunner(): { runner: Runner; fallback?: Driver } {
  if (available('k6', ['version'])) return { runner: 'k6' };
  if (available('docker', ['info'])) return { runner: 'docker' };
  return { runner: 'node', fallback: selectDriver() };
}

/** Runs get, then list; resolves true when every run passed (no errors, p99 within the threshold for the fallback). */
export async function runLoadTest(options: LoadTestOptions, config: Config = loadConfig()): Promise<boolean> {
  const { runtime, entity, quick } = options;
  const scenarios = loadScenarios();
  const settings = config.runtimes;
  const workers = runtime === 'fork' ? settings.forkWorkers : runtime === 'uws' ? settings.uwsWorkers : 1;
  const { runner, fallback } = chooseRunner();
  console.log(runner === 'k6' ? 'driver: k6' : runner === 'docker' ? 'driver: k6 in Docker (grafana/k6), k6 not installed'
    : `driver: ${fallback!.name} ${fallback!.version} (k6 is not installed and Docker does not run here), same scenario from bench/scenarios.json`);
  const what = options.kind === 'mixed' ? 'mixed' : options.kind === 'write' ? `${entity}-write` : `${entity}-${options.source}`;
  const testId = `${runtime}-${what}-${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
  const remoteWriteUrl = remoteWriteEnv(config.observe, process.env).K6_PROMETHEUS_RW_SERVER_URL!;
  for (const line of watchHints(runner === 'node' ? 'fallback' : runner, config.observe, remoteWriteUrl, testId)) console.log(line);
  if (runner !== 'node' && !(await answers(`${config.observe.prometheusUrl}/-/ready`))) {
    console.log(`Prometheus does not answer at ${config.observe.prometheusUrl}: k6's numbers will not be kept (start it with \`make observe\`)`);
  }

  const server = await launchRuntime({ name: runtime, port: await findFreePort(), logFile: join('bench/results', `loadtest-${runtime}.log`) });
  console.log(`${runtime}: started at ${server.url} with ${workers} worker(s)`);
  let passed = true;
  try {
    for (const { operation, source, connections } of loadTestRuns(scenarios, options)) {
      if (fallback) {
        passed = (await measureWithDriver(fallback, scenarios, { ...options, source }, operation, connections, workers, server)) && passed;
      } else if (runner !== 'node') {
        const k6 = k6Command({ driver: runner, runtime, entity, source, operation, baseUrl: server.url, quick, testId, script: K6_SCRIPT, observe: config.observe, env: process.env,
          ...(options.kind === 'write' || options.kind === 'mixed' ? { connections } : {}) });
        passed = spawnSync(k6.command, k6.args, { stdio: 'inherit', env: { ...process.env, ...k6.env } }).status === 0 && passed;
      }
    }
  } finally {
    await server.stop();
  }
  if (options.kind === 'write' || options.kind === 'mixed') console.log('the commands added rows to the data set: `make seed` restores it, `make verify-projections` checks the read model');
  return passed;
}

async function measureWithDriver(driver: Driver, scenarios: Scenarios, options: LoadTestOptions, operation: Operation, connections: number, workers: number,
  server: { url: string; process: { pid?: number } }): Promise<boolean> {
  const { runtime, entity, source, quick } = options;
  // Reads need the entity's ids; orders and the mixed scenario every entity's.
  const ids = new Map(await Promise.all(scenarios.entities.filter((e) => e === entity || options.kind === 'mixed' || entity === 'orders')
    .map(async (e) => [e, await fetchIds(server.url, e)] as const)));
  const group: CellPlan['group'] = options.kind === 'write' ? 'writes' : options.kind === 'mixed' ? 'mixed' : 'matrix';
  const plan = { group, runtime, entity, source, operation, workers, readMode: 'default' as const, listQuery: operation === 'list' ? scenarios.listQuery : '',
    ...(group !== 'matrix' && { connections }) };
  const cell = await measureCell({ id: cellId(plan), ...plan }, scenarios, quick ? scenarios.quick : scenarios, { driver, url: server.url, pid: server.process.pid!, ids });
  const s = cell.summary;
  console.log(`${cell.id}: ${Math.round(s.rps.median)} req/s (runs ${cell.runs.map((r) => Math.round(r.rps)).join(', ')}), p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, ` +
    `p99 ${s.p99.toFixed(2)} ms, errors ${s.errors}, non-2xx ${s.non2xx}, server CPU ${Math.round(s.serverCpuPct)}%, load generator CPU ${Math.round(s.driverCpuPct)}%`);
  return s.errors + s.non2xx === 0 && s.p99 <= scenarios.thresholds.p99Ms;
}
