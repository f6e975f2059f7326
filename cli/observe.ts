// `make observe` / `make observe-down`: Prometheus and Grafana to watch a run. Where Docker runs, the compose
// stack's; elsewhere Prometheus alone, natively, scraping the runtimes on this machine (config, data, log and
// pid file under OBSERVE_DIR).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, type Config } from '../core/index.js';
import { localTargets, prometheusConfig } from '../dashboards/src/PrometheusConfig.js';
import { PrometheusNotInstalledError, startPrometheus } from '../dashboards/src/PrometheusServer.js';
import { runCli } from './cli.js';
import { ServiceUnavailableError } from './services.js';

const OBSERVED_SERVICES = ['prometheus', 'grafana'];

export interface NativePaths {
  readonly dir: string;
  readonly configFile: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly pidFile: string;
}

export function nativePaths(config: Config): NativePaths {
  const dir = resolve(config.observe.observeDir);
  return { dir, configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data'), logFile: join(dir, 'prometheus.log'), pidFile: join(dir, 'prometheus.pid') };
}

/** `docker compose` (the plugin) or `docker-compose`, when a Docker engine answers; undefined otherwise. */
export function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) return undefined;
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return undefined;
}

function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });
}

/** Starts the native Prometheus, detached; returns its URL, or the running one's when already started. */
export async function startNativePrometheus(config: Config, log: (line: string) => void): Promise<{ url: string; pid: number; alreadyRunning: boolean }> {
  const paths = nativePaths(config);
  const port = config.observe.prometheusPort;
  const url = `http://127.0.0.1:${port}`;
  const pid = runningPid(paths.pidFile);
  if (pid !== undefined) {
    log(`Prometheus is already running (pid ${pid}, ${url}); \`make observe-down\` stops it`);
    return { url, pid, alreadyRunning: true };
  }
  if (!(await portIsFree(port, '127.0.0.1'))) {
    throw new ServiceUnavailableError(`port ${port} is taken by another program, so Prometheus cannot listen there; stop that program or choose another port (PROMETHEUS_PORT=9091 make observe)`);
  }
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.configFile, prometheusConfig(localTargets(config)));
  try {
    const running = await startPrometheus({
      configFile: paths.configFile, dataDir: paths.dataDir, port, host: '127.0.0.1', logFile: paths.logFile, detached: true, remoteWriteReceiver: true,
    });
    writeFileSync(paths.pidFile, `${running.pid}\n`);
    return { url: running.url, pid: running.pid, alreadyRunning: false };
  } catch (err) {
    if (err instanceof PrometheusNotInstalledError) throw new ServiceUnavailableError(err.message);
    throw err;
  }
}

/** Stops the native Prometheus started by startNativePrometheus; false when none was running. */
export async function stopNativePrometheus(config: Config): Promise<boolean> {
  const { pidFile } = nativePaths(config);
  const pid = runningPid(pidFile);
  rmSync(pidFile, { force: true });
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(100);
  }
  throw new Error(`Prometheus (pid ${pid}) did not stop within 10 s after SIGTERM`);
}

async function up(config: Config): Promise<void> {
  const compose = composeCommand();
  if (compose) {
    const run = spawnSync(compose[0]!, [...compose.slice(1), 'up', '-d', ...OBSERVED_SERVICES], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`${compose.join(' ')} up -d ${OBSERVED_SERVICES.join(' ')} failed (exit ${run.status})`);
    console.log(`observe: Grafana:    ${config.observe.grafanaUrl}/d/cqrs-runtimes`);
    console.log(`observe: Prometheus: ${config.observe.prometheusUrl}/graph`);
    return;
  }
  console.log('observe: Docker is not available here; using the native Prometheus instead (no Grafana)');
  const paths = nativePaths(config);
  const { url, pid, alreadyRunning } = await startNativePrometheus(config, (line) => console.log(`observe: ${line}`));
  if (!alreadyRunning) console.log(`observe: Prometheus started (pid ${pid}); config ${paths.configFile}, data ${paths.dataDir}, log ${paths.logFile}`);
  console.log(`observe: graph:   ${url}/graph`);
  console.log(`observe: targets: ${url}/targets (the runtimes of \`make up\`, label server_model)`);
  console.log(`observe: k6 remote write: ${url}/api/v1/write`);
  console.log(`observe: Grafana: point yours at it: a Prometheus datasource, URL ${url}, uid "prometheus"; then import dashboards/provisioned/*.json`);
}

async function down(config: Config): Promise<void> {
  if (await stopNativePrometheus(config)) console.log('observe: native Prometheus stopped');
  const compose = composeCommand();
  if (compose) {
    const run = spawnSync(compose[0]!, [...compose.slice(1), 'stop', ...OBSERVED_SERVICES], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`${compose.join(' ')} stop failed (exit ${run.status})`);
    console.log('observe: Prometheus and Grafana containers stopped');
  } else {
    console.log('observe: nothing else to stop (Docker is not available)');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    const action = process.argv[2];
    if (action !== 'up' && action !== 'down') throw new ConfigError('usage: node dist/cli/observe.js up|down');
    const config = loadConfig();
    await (action === 'up' ? up(config) : down(config));
  });
}
