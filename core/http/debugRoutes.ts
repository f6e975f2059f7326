import { threadId } from 'node:worker_threads';
import { json } from './responses.js';
import type { Route } from './types.js';

// Test-only routes, mounted when DEBUG_ROUTES=1: a slow request (to watch queueing), a request that keeps
// its thread's event loop busy (to watch lag and utilisation) and a crash (to watch a worker die). Never
// enabled by the benchmark.
export const DEBUG_ROUTES: readonly Route[] = Object.freeze([
  {
    method: 'GET', pattern: '/debug/sleep/:ms', source: 'none', hasBody: false,
    async handler(_request, params) {
      const ms = Math.min(Number(params.ms) || 0, 10_000);
      const started = performance.timeOrigin + performance.now();
      await new Promise((resolve) => setTimeout(resolve, ms));
      return json(200, { pid: process.pid, thread: threadId, started, finished: performance.timeOrigin + performance.now() });
    },
  },
  {
    method: 'GET', pattern: '/debug/block/:ms', source: 'none', hasBody: false,
    async handler(_request, params) {
      const ms = Math.min(Number(params.ms) || 0, 10_000);
      const started = performance.now();
      while (performance.now() - started < ms); // synchronous on purpose: nothing else runs on this thread
      return json(200, { pid: process.pid, thread: threadId, blockedMs: performance.now() - started });
    },
  },
  {
    method: 'GET', pattern: '/debug/crash', source: 'none', hasBody: false,
    async handler() {
      setImmediate(() => process.exit(70));
      return new Promise(() => undefined); // never answers: the process is gone
    },
  },
] satisfies Route[]);
