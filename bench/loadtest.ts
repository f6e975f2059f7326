// `make k6-<runtime>-<entity>-<db|redis>`: one scenario (get by random id, then a page) against a fresh
// runtime started with the current environment (e.g. UWS_WORKERS=16). Runs k6 where it is installed, else
// k6 in Docker where Docker works, else the same scenario through autocannon; says which.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { findFreePort, isRuntimeName, launchRuntime } from '../runtimes/launcher.js';
import { selectDriver } from './drivers/index.js';
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

const scenarios = loadScenarios();
const timing = values.quick ? scenarios.quick : scenarios;
const settings = loadConfig().runtimes;
const workers = runtime === 'fork' ? settings.forkWorkers : runtime === 'uws' ? settings.uwsWorkers : 1;
const k6Script = fileURLToPath(new URL('../../bench/k6/scenario.js', import.meta.url));
const driver = available('k6', ['version']) ? 'k6' : available('docker', ['info']) ? 'docker' : 'node';
const fallback = driver === 'node' ? selectDriver() : undefined;
console.log(driver === 'k6' ? 'driver: k6' : driver === 'docker' ? 'driver: k6 in Docker (grafana/k6), k6 not installed'
  : `driver: ${fallback!.name} ${fallback!.version} (k6 is not installed and Docker does not run here), same scenario from bench/scenarios.json`);

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
    } else {
      const env = ['-e', `BASE_URL=${server.url}`, '-e', `ENTITY=${entity}`, '-e', `SOURCE=${source}`, '-e', `OPERATION=${operation}`, ...(values.quick ? ['-e', 'QUICK=1'] : [])];
      const command = driver === 'k6'
        ? ['k6', ['run', ...env, k6Script]] as const
        : ['docker', ['run', '--rm', '--network', 'host', '-v', `${join(k6Script, '../..')}:/bench:ro`, 'grafana/k6', 'run', ...env, '/bench/k6/scenario.js']] as const;
      failed ||= spawnSync(command[0], [...command[1]], { stdio: 'inherit' }).status !== 0;
    }
  }
} finally {
  await server.stop();
}
process.exit(failed ? 1 : 0);
