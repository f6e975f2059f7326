// `make k6-<runtime>-<entity>-<db|redis>`: one scenario (get by random id, then a page) against a fresh
// runtime started with the current environment (e.g. UWS_WORKERS=16). Runs k6 where it is installed, else
// k6 in Docker where Docker works, else the same scenario through autocannon; says which, and where to watch
// (k6 remote-writes to Prometheus; the fallback driver does not).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { findFreePort, isRuntimeName, launchRuntime } from '../runtimes/launcher.js';
import { selectDriver } from './drivers/index.js';
import { k6Command, remoteWriteEnv } from './k6/K6Command.js';
import { watchHints } from './k6/WatchHint.js';
import { measureCell } from './measure.js';
import { cellId } from './plan.js';
import { fetchIds } from './preflight.js';
import type { EntityName, Operation, Source } from './results.js';
import { loadScenarios } from './scenarios.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false } } });
const [runtime, entity, source] = positionals;
if (!runtime || !isRuntimeName(runtime) || !['products', 'customers', 'orders'].includes(entity ?? '') || !['db', 'redis'].includes(source ?? '')) {
  console.error('usage: loadtest.js fork|express|uws products|customers|orders db|redis [--quick]');
  process.exit(64);
}

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

const scenarios = loadScenarios();
const timing = values.quick ? scenarios.quick : scenarios;
const config = loadConfig();
const settings = config.runtimes;
const workers = runtime === 'fork' ? settings.forkWorkers : runtime === 'uws' ? settings.uwsWorkers : 1;
const k6Script = fileURLToPath(new URL('../../bench/k6/scenario.js', import.meta.url));
const driver = available('k6', ['version']) ? 'k6' : available('docker', ['info']) ? 'docker' : 'node';
const fallback = driver === 'node' ? selectDriver() : undefined;
console.log(driver === 'k6' ? 'driver: k6' : driver === 'docker' ? 'driver: k6 in Docker (grafana/k6), k6 not installed'
  : `driver: ${fallback!.name} ${fallback!.version} (k6 is not installed and Docker does not run here), same scenario from bench/scenarios.json`);
const testId = `${runtime}-${entity}-${source}-${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
const remoteWriteUrl = remoteWriteEnv(config.observe, process.env).K6_PROMETHEUS_RW_SERVER_URL!;
for (const line of watchHints(driver === 'node' ? 'fallback' : driver, config.observe, remoteWriteUrl, testId)) console.log(line);
if (driver !== 'node' && !(await answers(`${config.observe.prometheusUrl}/-/ready`))) {
  console.log(`Prometheus does not answer at ${config.observe.prometheusUrl}: k6's numbers will not be kept (start it with \`make observe\`)`);
}

const server = await launchRuntime({ name: runtime, port: await findFreePort(), logFile: join('bench/results', `loadtest-${runtime}.log`) });
console.log(`${runtime}: started at ${server.url} with ${workers} worker(s)`);
let failed = false;
try {
  for (const operation of ['get', 'list'] as Operation[]) {
    if (fallback) {
      const ids = new Map([[entity!, await fetchIds(server.url, entity as EntityName)]]);
      const plan = { group: 'matrix' as const, runtime, entity: entity as EntityName, source: source as Source, operation, workers, readMode: 'default' as const, listQuery: operation === 'list' ? scenarios.listQuery : '' };
      const cell = await measureCell({ id: cellId(plan), ...plan }, scenarios, timing, { driver: fallback, url: server.url, pid: server.process.pid!, ids });
      const s = cell.summary;
      console.log(`${cell.id}: ${Math.round(s.rps.median)} req/s (runs ${cell.runs.map((r) => Math.round(r.rps)).join(', ')}), p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, ` +
        `p99 ${s.p99.toFixed(2)} ms, errors ${s.errors}, non-2xx ${s.non2xx}, server CPU ${Math.round(s.serverCpuPct)}%, load generator CPU ${Math.round(s.driverCpuPct)}%`);
      failed ||= s.errors + s.non2xx > 0 || s.p99 > scenarios.thresholds.p99Ms;
    } else if (driver !== 'node') {
      const k6 = k6Command({
        driver, runtime, entity: entity as EntityName, source: source as Source, operation, baseUrl: server.url,
        quick: values.quick, testId, script: k6Script, observe: config.observe, env: process.env,
      });
      failed ||= spawnSync(k6.command, k6.args, { stdio: 'inherit', env: { ...process.env, ...k6.env } }).status !== 0;
    }
  }
} finally {
  await server.stop();
}
process.exit(failed ? 1 : 0);
