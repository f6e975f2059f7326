import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Event-loop lag beyond the sampling interval, in seconds. */
export interface EventLoopLag {
  readonly mean: number;
  readonly p99: number;
  readonly max: number;
}

const RESOLUTION_MS = 10;
const RESOLUTION_NS = RESOLUTION_MS * 1e6;

/**
 * The event loop of the calling thread, measured over the interval between two readings (one per scrape).
 *
 * `monitorEventLoopDelay` records the time between two ticks of a timer that repeats every `resolution`
 * ms, so an idle loop reads 10 ms, not 0: the sampling interval is taken out here. What is left is how
 * late the timer ran, i.e. how long the loop was kept from it.
 */
export class EventLoopMonitor {
  private readonly delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    this.delay.enable();
  }

  /** Lag since the previous call; the histogram starts afresh. */
  takeLag(): EventLoopLag {
    const { delay } = this;
    // A loop blocked for the whole interval has not ticked yet: nothing recorded, which is no evidence of 0.
    const lag = delay.count === 0
      ? { mean: 0, p99: 0, max: 0 }
      : { mean: beyondResolution(delay.mean), p99: beyondResolution(delay.percentile(99)), max: beyondResolution(delay.max) };
    delay.reset();
    return lag;
  }

  /** Share of the time since the previous call that the loop spent outside its idle wait (0-1). */
  takeUtilization(): number {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.lastUtilization);
    this.lastUtilization = now;
    return Number.isFinite(utilization) ? utilization : 0;
  }
}

function beyondResolution(nanoseconds: number): number {
  return Math.max(0, nanoseconds - RESOLUTION_NS) / 1e9;
}
