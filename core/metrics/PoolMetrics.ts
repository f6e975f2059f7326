import { Counter, Gauge, type Registry } from 'prom-client';

export interface PoolState {
  readonly total: number;
  readonly busy: number;
  readonly queue: number;
}

/** What a pool reports as it happens (the gauges read `state` at scrape time). */
export interface PoolCounters {
  queueSeen(length: number): void;
  setQueueCapacity(capacity: number): void;
  allBusy(): void;
  restarted(): void;
  crashed(): void;
}

/**
 * Pool gauges and counters of a pooled runtime. Mirrors phpfpm_total_processes / phpfpm_active_processes /
 * phpfpm_idle_processes / phpfpm_listen_queue and frankenphp_total_workers / frankenphp_busy_workers /
 * frankenphp_ready_workers / frankenphp_worker_queue_depth. `state` is kept by the pool as requests start
 * and end; the gauges only read it.
 */
export function registerPoolMetrics(registry: Registry, runtime: string, state: () => PoolState): PoolCounters {
  const registers = [registry];
  const gauge = (name: string, help: string, read: (s: PoolState) => number) =>
    new Gauge({ name, help, labelNames: ['runtime'], registers, collect() { this.set({ runtime }, read(state())); } });
  gauge('cqrs_total_workers', 'Workers in the pool', (s) => s.total);
  gauge('cqrs_busy_workers', 'Workers handling a request now', (s) => s.busy);
  gauge('cqrs_idle_workers', 'Workers waiting for a request', (s) => s.total - s.busy);
  gauge('cqrs_queue_length', 'Requests waiting for an idle worker (FPM listen queue)', (s) => s.queue);
  const maxQueue = new Gauge({ name: 'cqrs_max_queue_length', help: 'Longest queue seen since start (FPM max listen queue)', labelNames: ['runtime'], registers });
  const queueCapacity = new Gauge({ name: 'cqrs_queue_capacity', help: 'Most requests the queue holds (FPM listen queue length)', labelNames: ['runtime'], registers });
  const maxReached = new Counter({ name: 'cqrs_max_workers_reached_total', help: 'Times a request found every worker busy (FPM max children reached)', labelNames: ['runtime'], registers });
  const restarts = new Counter({ name: 'cqrs_worker_restarts_total', help: 'Workers replaced after their request quota (FORK_MAX_REQUESTS)', labelNames: ['runtime'], registers });
  const crashes = new Counter({ name: 'cqrs_worker_crashes_total', help: 'Workers that died unexpectedly and were replaced', labelNames: ['runtime'], registers });
  let longestQueue = 0;
  maxQueue.set({ runtime }, 0);
  maxReached.inc({ runtime }, 0);
  restarts.inc({ runtime }, 0);
  crashes.inc({ runtime }, 0);
  return {
    queueSeen: (length) => {
      if (length <= longestQueue) return;
      longestQueue = length;
      maxQueue.set({ runtime }, length);
    },
    setQueueCapacity: (capacity) => queueCapacity.set({ runtime }, capacity),
    allBusy: () => maxReached.inc({ runtime }),
    restarted: () => restarts.inc({ runtime }),
    crashed: () => crashes.inc({ runtime }),
  };
}
