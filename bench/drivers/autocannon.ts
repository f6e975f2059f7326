import autocannon from 'autocannon';
import { createRequire } from 'node:module';
import type { Run } from '../results.js';
import { RequestCycle, type LoadRequest } from '../writes.js';

export interface LoadSpec {
  readonly baseUrl: string;
  /**
   * Paths the connections cycle through (random ids are drawn ahead, so autocannon can build every request
   * once: a per-request callback makes it rebuild each one and the driver, not the server, sets the pace).
   */
  readonly paths: readonly string[];
  /**
   * Requests of any method, sent in order (each once per pass) with `[<id>]` made unique per request: the write
   * and mixed cells (bench/writes.ts). When given, `paths` is not used.
   */
  readonly requests?: readonly LoadRequest[];
  readonly connections: number;
  readonly durationSec: number;
}

/** What the load generator measures; the runner adds the CPU and memory figures to make a Run. */
export type LoadResult = Omit<Run, 'serverCpuPct' | 'serverPeakRssMiB' | 'driverCpuPct'>;

export const AUTOCANNON_VERSION: string = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;

/** Nearest-rank percentile of sorted values (0 when none). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Latency figures from every response's time (autocannon's own summary has no p95). */
export function latencySummary(samples: readonly number[]): LoadResult['latency'] {
  const sorted = Float64Array.from(samples).sort();
  const mean = samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : 0;
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0, mean };
}

/**
 * Every connection takes the next request from one shared cycle (autocannon runs in this process), its token
 * filled in: built per request, which costs the driver little at the rates commands are served.
 */
function writeRequests(requests: readonly LoadRequest[]): autocannon.Request[] {
  const cycle = new RequestCycle(requests);
  return [{ setupRequest: (request) => ({ ...request, ...cycle.take() }) }];
}

/** One autocannon run in this process. */
export async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  // Without a callback autocannon returns its event emitter, made thenable (the typings only say Promise).
  const instance = autocannon({
    url: spec.baseUrl,
    connections: spec.connections,
    duration: spec.durationSec,
    timeout: 30,
    requests: spec.requests ? writeRequests(spec.requests) : spec.paths.map((path) => ({ method: 'GET' as const, path })),
  }) as unknown as Promise<autocannon.Result> & import('node:events').EventEmitter;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  return {
    rps: result.requests.total / result.duration,
    latency: latencySummary(latencies),
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    durationSec: result.duration,
  };
}
