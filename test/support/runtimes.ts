import { launchRuntime, type LaunchedRuntime, type RuntimeName } from '../../runtimes/launcher.js';
import { freePort } from './net.js';

/** Starts a runtime as a real process on a free port, with the test configuration plus `env`. */
export async function startRuntime(name: RuntimeName, env: Record<string, string> = {}): Promise<LaunchedRuntime> {
  return launchRuntime({
    name,
    port: await freePort(),
    env: { DEBUG_ROUTES: '1', FORK_WORKERS: '2', UWS_WORKERS: '2', PROJECTOR_INTERVAL_MS: '100', ...env },
    logFile: process.env.RUNTIME_LOG ?? '/dev/null',
  });
}

/** Runtimes a test starts, each stopped by `stopAll` (an afterEach), whatever the test left running. */
export function runtimesOfTest(): { start: typeof startRuntime; stopAll(): Promise<void> } {
  const started: LaunchedRuntime[] = [];
  return {
    async start(...args) {
      const runtime = await startRuntime(...args);
      started.push(runtime);
      return runtime;
    },
    async stopAll() {
      await Promise.all(started.splice(0).map((r) => r.stop()));
    },
  };
}

/** Polls /healthz until it says ok; resolves with how long that took, fails after `withinMs`. */
export async function untilHealthy(base: string, withinMs: number): Promise<number> {
  const began = Date.now();
  for (;;) {
    const health = await call(base, 'GET', '/healthz');
    if (health.json?.status === 'ok') return Date.now() - began;
    if (Date.now() - began > withinMs) throw new Error(`not healthy after ${withinMs} ms: ${health.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One HTTP request; `body` objects are sent as JSON unless a content type says otherwise. */
export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body);
    if (!('content-type' in headers) && typeof body !== 'string') (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Parses Prometheus text into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

/** Sum of every series of a metric whose labels include all of `labels`. */
export function metricSum(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const [key, value] of series) {
    const brace = key.indexOf('{');
    const metric = brace === -1 ? key : key.slice(0, brace);
    if (metric !== name) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) {
      sum += value;
      found = true;
    }
  }
  return found ? sum : Number.NaN;
}
