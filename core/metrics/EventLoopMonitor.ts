import { createHistogram, performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Event-loop lag beyond the sampling interval, in seconds. */
export interface EventLoopLag {
  readonly mean: number;
  readonly p99: number;
  readonly max: number;
}

const RESOLUTION_MS = 10;

/**
 * The event loop of the calling thread, measured over the interval between two readings (one per scrape).
 *
 * A timer ticks every 10 ms and records how late each tick ran beyond those 10 ms (so an idle loop reads ≈ 0,
 * where `monitorEventLoopDelay` reads the 10 ms interval itself). A reading also counts the tick that is
 * overdue right now: a scrape answered just after a long synchronous step, before the timer got its turn, still
 * sees the step.
 */
export class EventLoopMonitor {
  private readonly lateness = createHistogram();
  private lastTick = performance.now();
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    setInterval(() => {
      const now = performance.now();
      this.record(now - this.lastTick - RESOLUTION_MS);
      this.lastTick = now;
    }, RESOLUTION_MS).unref();
  }

  /** Lag since the previous call; the histogram starts afresh. */
  takeLag(): EventLoopLag {
    // The tick overdue now, if any: the loop is answering this reading instead.
    const now = performance.now();
    const overdue = now - this.lastTick - RESOLUTION_MS;
    if (overdue > 0) {
      this.record(overdue);
      this.lastTick = now;
    }
    const { lateness } = this;
    const lag = lateness.count === 0
      ? { mean: 0, p99: 0, max: 0 }
      : { mean: lateness.mean / 1e9, p99: lateness.percentile(99) / 1e9, max: lateness.max / 1e9 };
    lateness.reset();
    return lag;
  }

  /** Share of the time since the previous call that the loop spent outside its idle wait (0-1). */
  takeUtilization(): number {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.lastUtilization);
    this.lastUtilization = now;
    return Number.isFinite(utilization) ? utilization : 0;
  }

  /** `lateMs` beyond the interval; the histogram takes whole nanoseconds ≥ 1. */
  private record(lateMs: number): void {
    this.lateness.record(Math.max(1, Math.round(lateMs * 1e6)));
  }
}
