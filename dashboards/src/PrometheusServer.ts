// Runs Debian's (or any installed) `prometheus` binary as a child process, and queries a Prometheus:
// `make observe` without Docker, and the tests that check the dashboards' queries against real data.
import { mkdirSync } from 'node:fs';
import { findBinary, startDaemon } from './Daemon.js';

export class PrometheusNotInstalledError extends Error {
  override name = 'PrometheusNotInstalledError';
}

export const PROMETHEUS_INSTALL_HINT =
  'prometheus is not installed. Install it (Debian/Ubuntu: apt-get install prometheus), or install Docker: `make observe` then starts Prometheus and Grafana from compose.yaml.';

export interface PrometheusOptions {
  readonly configFile: string;
  readonly dataDir: string;
  readonly port: number;
  readonly host?: string;
  /** Prometheus's output goes here; inherited when absent. */
  readonly logFile?: string;
  /** Keep running after this process exits (make observe). */
  readonly detached?: boolean;
  /** Accept remote writes at /api/v1/write (k6's experimental-prometheus-rw output). */
  readonly remoteWriteReceiver?: boolean;
  readonly readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/** The prometheus binary on PATH; undefined when not installed. */
export function findPrometheusBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findBinary(['prometheus'], env);
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = findPrometheusBinary();
  if (!binary) throw new PrometheusNotInstalledError(PROMETHEUS_INSTALL_HINT);
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${options.port}`;
  mkdirSync(options.dataDir, { recursive: true });
  const args = [
    `--config.file=${options.configFile}`,
    `--storage.tsdb.path=${options.dataDir}`,
    `--web.listen-address=${host}:${options.port}`,
    ...(options.remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
  ];
  const daemon = await startDaemon({
    name: 'prometheus', binary, args, readyUrl: `${url}/-/ready`, logFile: options.logFile, detached: options.detached, readyTimeoutMs: options.readyTimeoutMs,
  });
  return { url, pid: daemon.pid, stop: () => daemon.stop() };
}

/** Runs an instant query (at `time`: a Date, or Unix seconds); returns the `data` of /api/v1/query. */
export async function queryPrometheus(url: string, expr: string, time?: Date | number): Promise<{ resultType: string; result: unknown[] }> {
  const params = new URLSearchParams({ query: expr });
  if (time !== undefined) params.set('time', String(time instanceof Date ? time.getTime() / 1000 : time));
  const response = await fetch(`${url.replace(/\/+$/, '')}/api/v1/query?${params}`);
  const text = await response.text();
  let body: { status?: string; data?: { resultType: string; result: unknown[] }; error?: string; errorType?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Prometheus at ${url} answered ${response.status} with no JSON: ${text.slice(0, 200)}`);
  }
  if (body.status !== 'success' || !body.data) {
    throw new Error(`Prometheus query ${JSON.stringify(expr)} failed: ${body.errorType ?? response.status}: ${body.error ?? text.slice(0, 200)}`);
  }
  return body.data;
}
