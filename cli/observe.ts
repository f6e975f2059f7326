// `make observe` / `make observe-down`: Prometheus and Grafana to watch a run. Where Docker runs, the compose
// stack's; elsewhere Prometheus natively, scraping the runtimes on this machine, and the MariaDB and Redis
// exporters where installed (configs, data, logs and pid files under OBSERVE_DIR).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, type Config } from '../core/index.js';
import { localExporters, localTargets, prometheusConfig } from '../dashboards/src/PrometheusConfig.js';
import { PrometheusNotInstalledError, startPrometheus } from '../dashboards/src/PrometheusServer.js';
import {
  exporterInstallHint, findExporterBinary, startExporter, STORE_EXPORTERS, type StoreExporterKind,
} from '../dashboards/src/StoreExporters.js';
import { runCli } from './cli.js';
import { ServiceUnavailableError } from './services.js';

const OBSERVED_SERVICES = ['prometheus', 'grafana', 'mysqld-exporter', 'redis-exporter'];

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

/** An exporter's log and pid file beside Prometheus's, e.g. .observe/mysqld-exporter.pid. */
export function exporterPaths(config: Config, kind: StoreExporterKind): { logFile: string; pidFile: string } {
  const dir = resolve(config.observe.observeDir);
  return { logFile: join(dir, `${kind.name}-exporter.log`), pidFile: join(dir, `${kind.name}-exporter.pid`) };
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
  writeFileSync(paths.configFile, prometheusConfig(localTargets(config), { exporters: localExporters(config) }));
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

/** Stops the process a pid file names and removes the file; false when none was running. */
async function stopByPidFile(pidFile: string, what: string): Promise<boolean> {
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
  throw new Error(`${what} (pid ${pid}) did not stop within 10 s after SIGTERM`);
}

/** Stops the native Prometheus started by startNativePrometheus; false when none was running. */
export function stopNativePrometheus(config: Config): Promise<boolean> {
  return stopByPidFile(nativePaths(config).pidFile, 'Prometheus');
}

function exporterStoreUrl(config: Config, kind: StoreExporterKind): string {
  return kind.name === 'mysqld' ? config.mysqlUrl : config.redisUrl;
}

function exporterPort(config: Config, kind: StoreExporterKind): number {
  return kind.name === 'mysqld' ? config.observe.mysqldExporterPort : config.observe.redisExporterPort;
}

/**
 * Starts each store exporter that is installed, detached, on its loopback port, pointed at MYSQL_URL / REDIS_URL.
 * One that is missing or cannot listen is one line in the log, never a failure: Prometheus runs without it.
 * Returns the exporters now running.
 */
export async function startNativeExporters(config: Config, log: (line: string) => void): Promise<Array<{ kind: StoreExporterKind; pid: number; address: string }>> {
  const running: Array<{ kind: StoreExporterKind; pid: number; address: string }> = [];
  for (const kind of Object.values(STORE_EXPORTERS)) {
    const { logFile, pidFile } = exporterPaths(config, kind);
    const port = exporterPort(config, kind);
    const address = `127.0.0.1:${port}`;
    const pid = runningPid(pidFile);
    if (pid !== undefined) {
      log(`${kind.program} is already running (pid ${pid}, http://${address}/metrics)`);
      running.push({ kind, pid, address });
      continue;
    }
    if (!findExporterBinary(kind)) {
      log(`${exporterInstallHint(kind)}: skipped, the Data stores dashboard's ${kind.name === 'mysqld' ? 'MariaDB' : 'Redis'} panels stay empty`);
      continue;
    }
    if (!(await portIsFree(port, '127.0.0.1'))) {
      const setting = kind.name === 'mysqld' ? 'MYSQLD_EXPORTER_PORT' : 'REDIS_EXPORTER_PORT';
      log(`${kind.program}: port ${port} is taken by another program: skipped (choose another port: ${setting}=...)`);
      continue;
    }
    mkdirSync(dirname(pidFile), { recursive: true });
    try {
      const started = await startExporter(kind, { storeUrl: exporterStoreUrl(config, kind), port, logFile, detached: true });
      writeFileSync(pidFile, `${started.pid}\n`);
      log(`${kind.program} started (pid ${started.pid}, http://${address}/metrics, log ${logFile})`);
      running.push({ kind, pid: started.pid, address });
    } catch (err) {
      log(`${kind.program} did not start: ${(err as Error).message}`);
    }
  }
  return running;
}

/** Stops the exporters startNativeExporters started; returns the programs stopped. */
export async function stopNativeExporters(config: Config): Promise<string[]> {
  const stopped: string[] = [];
  for (const kind of Object.values(STORE_EXPORTERS)) {
    if (await stopByPidFile(exporterPaths(config, kind).pidFile, kind.program)) stopped.push(kind.program);
  }
  return stopped;
}

async function up(config: Config): Promise<void> {
  const compose = composeCommand();
  if (compose) {
    const run = spawnSync(compose[0]!, [...compose.slice(1), 'up', '-d', ...OBSERVED_SERVICES], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`${compose.join(' ')} up -d ${OBSERVED_SERVICES.join(' ')} failed (exit ${run.status})`);
    console.log(`observe: Grafana:    ${config.observe.grafanaUrl}/d/cqrs-runtimes`);
    console.log(`observe: stores:     ${config.observe.grafanaUrl}/d/cqrs-stores (MariaDB and Redis from their exporters)`);
    console.log(`observe: Prometheus: ${config.observe.prometheusUrl}/graph`);
    return;
  }
  console.log('observe: Docker is not available here; using the native Prometheus instead (no Grafana)');
  const paths = nativePaths(config);
  const { url, pid, alreadyRunning } = await startNativePrometheus(config, (line) => console.log(`observe: ${line}`));
  if (!alreadyRunning) console.log(`observe: Prometheus started (pid ${pid}); config ${paths.configFile}, data ${paths.dataDir}, log ${paths.logFile}`);
  await startNativeExporters(config, (line) => console.log(`observe: ${line}`));
  console.log(`observe: graph:   ${url}/graph`);
  console.log(`observe: targets: ${url}/targets (the runtimes of \`make up\`, label server_model; jobs mysqld and redis: the exporters)`);
  console.log(`observe: k6 remote write: ${url}/api/v1/write`);
  console.log(`observe: Grafana: point yours at it: a Prometheus datasource, URL ${url}, uid "prometheus"; then import dashboards/provisioned/*.json`);
}

async function down(config: Config): Promise<void> {
  if (await stopNativePrometheus(config)) console.log('observe: native Prometheus stopped');
  for (const program of await stopNativeExporters(config)) console.log(`observe: ${program} stopped`);
  const compose = composeCommand();
  if (compose) {
    const run = spawnSync(compose[0]!, [...compose.slice(1), 'stop', ...OBSERVED_SERVICES], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`${compose.join(' ')} stop failed (exit ${run.status})`);
    console.log('observe: Prometheus, Grafana and exporter containers stopped');
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
