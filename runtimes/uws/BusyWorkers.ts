import type { PipelineHook } from '../../core/http/types.js';

/**
 * Requests in flight per uws worker thread, in memory the main thread and the workers share: each worker
 * counts its requests as they start and end (one atomic add), the main thread reads the counts when scraped.
 * The scrape itself (GET /metrics) is not counted: it would make the worker that answers it look busy.
 */
export class BusyWorkers {
  private readonly counts: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * 257)) {
    this.counts = new Int32Array(buffer);
  }

  /** How many of these workers have a request in flight now. */
  busy(indexes: Iterable<number>): number {
    let busy = 0;
    for (const index of indexes) if (Atomics.load(this.counts, index) > 0) busy++;
    return busy;
  }

  /** A worker starting afresh in a slot: whatever its predecessor left there is gone with it. */
  reset(index: number): void {
    Atomics.store(this.counts, index, 0);
  }

  /** The pipeline hook of worker `index`. */
  hook(index: number): PipelineHook {
    const { counts } = this;
    const done = () => { Atomics.sub(counts, index, 1); };
    return {
      onRequest(request) {
        if (request.path === '/metrics') return undefined;
        Atomics.add(counts, index, 1);
        return done;
      },
    };
  }
}
