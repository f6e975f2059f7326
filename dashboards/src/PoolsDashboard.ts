// "Worker pools": the counterpart of the original's PHP-FPM dashboard (active/idle processes, listen queue,
// max children reached) and FrankenPHP's worker panels (busy/ready workers, queue depth, restarts).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, labelVariable, q, row, stat, timeseries } from './panels.js';

const POOL = 'runtime=~"$runtime"';
const utilisation = `100 * sum by (runtime) (cqrs_busy_workers{${POOL}}) / sum by (runtime) (cqrs_total_workers{${POOL}})`;

export function poolsDashboard(): Dashboard {
  return dashboard('cqrs-pools', 'cqrs-node-bench: worker pools',
    'The pooled runtimes: fork (master + child processes, one request per child, a FIFO queue: PHP-FPM) and uws (worker threads: FrankenPHP worker mode). Change FORK_WORKERS or UWS_WORKERS, restart, and watch again.')
    .withVariable(labelVariable('runtime', 'Runtime', 'label_values(cqrs_total_workers, runtime)'))
    .withRow(row('Now'))
    .withPanel(stat('Max workers reached', [q(`sum by (runtime) (cqrs_max_workers_reached_total{${POOL}})`, '{{runtime}}')],
      { description: 'Times a request found every worker busy (phpfpm_max_children_reached).' }))
    .withPanel(stat('Worker utilisation', [q(utilisation, '{{runtime}}')], { unit: 'percent', min: 0, max: 100,
      description: 'Busy ÷ total workers (the original\'s "Process Utilization").' }))
    .withPanel(stat('Queue depth', [q(`sum by (runtime) (cqrs_queue_length{${POOL}})`, '{{runtime}}')],
      { description: 'Requests waiting for an idle worker (phpfpm_listen_queue, frankenphp_worker_queue_depth).' }))
    .withPanel(stat('Max queue', [q(`max by (runtime) (cqrs_max_queue_length{${POOL}})`, '{{runtime}}')],
      { description: 'Longest queue since start (phpfpm_max_listen_queue).' }))
    .withPanel(stat('Worker restarts', [q(`sum by (runtime) (cqrs_worker_restarts_total{${POOL}})`, '{{runtime}}')],
      { description: 'Recycled after FORK_MAX_REQUESTS (frankenphp_worker_restarts).' }))
    .withPanel(stat('Worker crashes', [q(`sum by (runtime) (cqrs_worker_crashes_total{${POOL}})`, '{{runtime}}')],
      { description: 'Died and replaced (frankenphp_worker_crashes).' }))
    .withRow(row('Workers'))
    .withPanel(timeseries('Busy, idle and total workers', [
      q(`sum by (runtime) (cqrs_busy_workers{${POOL}})`, '{{runtime}} busy'),
      q(`sum by (runtime) (cqrs_idle_workers{${POOL}})`, '{{runtime}} idle'),
      q(`sum by (runtime) (cqrs_total_workers{${POOL}})`, '{{runtime}} total'),
    ], { min: 0, description: 'Read at each scrape (phpfpm_active/idle/total_processes, frankenphp_busy/ready/total_workers).' }))
    .withPanel(timeseries('Worker utilisation', [q(utilisation, '{{runtime}}')], { unit: 'percent', min: 0, max: 100 }))
    .withPanel(timeseries('Queue length and longest queue', [
      q(`sum by (runtime) (cqrs_queue_length{${POOL}})`, '{{runtime}} queue'),
      q(`max by (runtime) (cqrs_max_queue_length{${POOL}})`, '{{runtime}} max queue'),
      q(`max by (runtime) (cqrs_queue_capacity{${POOL}})`, '{{runtime}} capacity'),
    ], { min: 0, description: 'fork queues in its master; uws workers take every connection (its queue is 0).' }))
    .withPanel(timeseries('Every worker busy (per second)', [q(`sum by (runtime) (rate(cqrs_max_workers_reached_total{${POOL}}[$__rate_interval]))`, '{{runtime}}')],
      { unit: 'short', min: 0, description: 'Requests that arrived to find no idle worker.' }))
    .withPanel(timeseries('Restarts and crashes', [
      q(`sum by (runtime) (increase(cqrs_worker_restarts_total{${POOL}}[$__rate_interval]))`, '{{runtime}} restarts'),
      q(`sum by (runtime) (increase(cqrs_worker_crashes_total{${POOL}}[$__rate_interval]))`, '{{runtime}} crashes'),
    ], { min: 0 }))
    .withPanel(timeseries('Requests per second, per worker', [q(`sum by (runtime, worker) (rate(cqrs_worker_requests_total{${POOL}}[$__rate_interval]))`, '{{runtime}} {{worker}}')],
      { unit: 'reqps', min: 0, description: 'How evenly the pool spreads load: fork hands requests to idle children, uws relies on the kernel (SO_REUSEPORT) spreading connections.' }))
    .withRow(row('Event loops, per worker'))
    .withPanel(timeseries('Event-loop utilisation', [q(`cqrs_event_loop_utilization{${POOL}}`, '{{runtime}} {{worker}}')],
      { unit: 'percentunit', min: 0, max: 1, description: 'Share of time the loop was not idle since the previous scrape. For uws, this (not busy workers) says how close a thread is to its limit.' }))
    .withPanel(timeseries('Event-loop lag p99', [q(`cqrs_event_loop_lag_seconds{${POOL}, stat="p99"}`, '{{runtime}} {{worker}}')],
      { unit: 's', min: 0, description: 'How late a 10 ms timer ran, beyond its interval, since the previous scrape (≈ 0 when idle).' }))
    .build();
}
