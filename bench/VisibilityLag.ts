import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimeName } from '../runtimes/launcher.js';
import { latencySummary } from './drivers/autocannon.js';

// Visibility lag, the eventual consistency of CQRS, seen from outside: from the acknowledgement of a command on one
// runtime to the moment a reader on another runtime finds it in the projection. Commands are sent open-loop at a
// fixed rate (a share of the writer's own maximum, measured first), so a slow read model cannot slow the writes
// down and hide its lag; a sample of them is traced by a reader polling the projection route.

/** How the writer runtime applies a command's events: before its answer (inline) or by its projector (async). */
export type ProjectionMode = 'inline' | 'async';

export interface LagStats {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface LagPoint {
  readonly mode: ProjectionMode;
  readonly writer: RuntimeName;
  readonly reader: RuntimeName;
  /** Share of the writer's maximum asked for, in %. */
  readonly loadPct: number;
  readonly targetRate: number;
  /** Commands acknowledged per second over the window. */
  readonly achievedRate: number;
  readonly writes: number;
  /** Commands answered with anything but 201, or not answered. */
  readonly errors: number;
  /** Traced commands, and how many were never seen within the trace timeout (counted as lost, not in the stats). */
  readonly traced: number;
  readonly unseen: number;
  /** Traced commands already visible at the reader's first read after the acknowledgement. */
  readonly visibleAtFirstRead: number;
  /** Milliseconds from the acknowledgement to the start of the first read that found the command. */
  readonly lagMs: LagStats;
}

export interface LagTarget {
  /** Base URL of the runtime taking the commands. */
  readonly writerUrl: string;
  /** Base URL of another runtime reading the projections. */
  readonly readerUrl: string;
}

export interface LagTiming {
  /** Seconds of closed-loop writes at `maxConnections` to find the writer's maximum. */
  readonly probeSec: number;
  readonly maxConnections: number;
  /** Seconds of open-loop writes at each load. */
  readonly windowSec: number;
  /** Commands traced per second at most (every k-th command). */
  readonly tracesPerSec: number;
  /** A traced command not seen after this long is counted unseen. */
  readonly traceTimeoutMs: number;
}

export const DEFAULT_LAG_TIMING: LagTiming = { probeSec: 5, maxConnections: 64, windowSec: 10, tracesPerSec: 50, traceTimeoutMs: 5_000 };

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Keep-alive HTTP/1.1 over node:http: one agent a target, its sockets capped at the connections asked for. */
function client(maxSockets: number): { send(url: string, method: string, body?: string): Promise<Answer>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send(url, method, body) {
      return new Promise((resolve, reject) => {
        const req = request(url, { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** The load generator's latency figures of the lags, without the mean. */
export function lagStats(values: readonly number[]): LagStats {
  const { p50, p95, p99, max } = latencySummary(values);
  return { p50, p95, p99, max };
}

/** A product body no other command of the run sends (names are free text; the run's tag keeps them apart). */
function productBody(tag: string, n: number): string {
  return JSON.stringify({ name: `lag ${tag} ${n}`, price: '9.99' });
}

function createdId(answer: Answer): number | undefined {
  if (answer.status !== 201) return undefined;
  try {
    const id = (JSON.parse(answer.body) as { product?: { id?: unknown } }).product?.id;
    return typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Ids of the products a measurement created, to delete when done. */
export class CreatedProducts {
  readonly ids: number[] = [];
}

/** The writer's maximum: commands acknowledged per second, closed loop at `connections`. */
export async function writeMaximum(target: LagTarget, timing: LagTiming, tag: string, created: CreatedProducts): Promise<number> {
  const http = client(timing.maxConnections);
  let acknowledged = 0;
  let n = 0;
  const deadline = performance.now() + timing.probeSec * 1000;
  try {
    await Promise.all(Array.from({ length: timing.maxConnections }, async () => {
      while (performance.now() < deadline) {
        const id = createdId(await http.send(`${target.writerUrl}/en/products`, 'POST', productBody(`${tag} probe`, n++)).catch(() => ({ status: 0, body: '' })));
        if (id !== undefined) {
          acknowledged++;
          created.ids.push(id);
        }
      }
    }));
  } finally {
    http.close();
  }
  return acknowledged / timing.probeSec;
}

/** Polls the reader until the product is there; the start of the finding read, or undefined after the timeout. */
async function firstSeen(read: ReturnType<typeof client>, url: string, timeoutMs: number): Promise<{ at: number; reads: number } | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (let reads = 1; performance.now() < deadline; reads++) {
    const started = performance.now();
    const answer = await read.send(url, 'GET').catch(() => ({ status: 0, body: '' }));
    if (answer.status === 200) return { at: started, reads };
    await sleep(1);
  }
  return undefined;
}

/** Open-loop commands at `rate` per second for the window, a sample traced on the reader. */
export async function measureLag(
  target: LagTarget, timing: LagTiming, rate: number, tag: string, created: CreatedProducts,
): Promise<Omit<LagPoint, 'mode' | 'writer' | 'reader' | 'loadPct'>> {
  const write = client(1024);
  const read = client(64);
  const traceEvery = Math.max(1, Math.round(rate / timing.tracesPerSec));
  const lags: number[] = [];
  let writes = 0;
  let errors = 0;
  let traced = 0;
  let unseen = 0;
  let atFirstRead = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.max(1, Math.round(rate * timing.windowSec));
  let lastAck = started;
  try {
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      pending.push((async () => {
        const answer = await write.send(`${target.writerUrl}/en/products`, 'POST', productBody(tag, n)).catch(() => ({ status: 0, body: '' }));
        const ackAt = performance.now();
        const id = createdId(answer);
        if (id === undefined) {
          errors++;
          return;
        }
        writes++;
        lastAck = Math.max(lastAck, ackAt);
        created.ids.push(id);
        if (n % traceEvery !== 0) return;
        traced++;
        const seen = await firstSeen(read, `${target.readerUrl}/en/products/projection/${id}`, timing.traceTimeoutMs);
        if (!seen) {
          unseen++;
          return;
        }
        if (seen.reads === 1) atFirstRead++;
        lags.push(Math.max(0, seen.at - ackAt));
      })());
    }
    await Promise.all(pending);
  } finally {
    write.close();
    read.close();
  }
  const elapsedSec = Math.max(0.001, (lastAck - started) / 1000);
  return { targetRate: rate, achievedRate: writes / elapsedSec, writes, errors, traced, unseen, visibleAtFirstRead: atFirstRead, lagMs: lagStats(lags) };
}

/** Soft-deletes what the measurement created (not timed), so lists and counts are the seeded ones again. */
export async function deleteCreated(writerUrl: string, created: CreatedProducts, connections = 16): Promise<number> {
  const http = client(connections);
  let deleted = 0;
  const queue = [...created.ids];
  try {
    await Promise.all(Array.from({ length: connections }, async () => {
      for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
        const answer = await http.send(`${writerUrl}/en/products/${id}`, 'DELETE').catch(() => ({ status: 0, body: '' }));
        if (answer.status === 200) deleted++;
      }
    }));
  } finally {
    http.close();
  }
  created.ids.length = 0;
  return deleted;
}
