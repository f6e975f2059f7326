// "Runtimes compared": the three server models side by side, one series per runtime (the counterpart of
// the original's Caddy/FrankenPHP summary and detail rows, for three runtimes at once).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, heatmap, labelVariable, q, row, stat, timeseries } from './panels.js';

/** Requests selected by the dashboard's variables; the scrapes themselves are left out. */
const REQUESTS = 'runtime=~"$runtime", route=~"$route", source=~"$source", route!="/metrics"';

const rate = (selector: string, by = 'runtime') =>
  `sum by (${by}) (rate(cqrs_http_requests_total{${selector}}[$__rate_interval]))`;
const quantile = (p: number) =>
  `histogram_quantile(${p}, sum by (runtime, le) (rate(cqrs_http_request_duration_seconds_bucket{${REQUESTS}}[$__rate_interval])))`;
/** A share that reads 0, not "no data", when no request matched the numerator. */
const share = (numerator: string) =>
  `(${rate(`${REQUESTS}, ${numerator}`)} or 0 * ${rate(REQUESTS)}) / ${rate(REQUESTS)}`;

export function runtimesDashboard(): Dashboard {
  return dashboard('cqrs-runtimes', 'cqrs-node-bench: runtimes compared',
    'fork (≈ PHP-FPM), express (≈ FrankenPHP) and uws (≈ FrankenPHP worker mode) serving the same routes: rate, latency, errors, CPU and memory, one series per runtime.')
    .withVariable(labelVariable('runtime', 'Runtime', 'label_values(cqrs_http_requests_total, runtime)'))
    .withVariable(labelVariable('route', 'Route', 'label_values(cqrs_http_requests_total{runtime=~"$runtime"}, route)'))
    .withVariable(labelVariable('source', 'Source', 'label_values(cqrs_http_requests_total{runtime=~"$runtime"}, source)'))
    .withRow(row('Now'))
    .withPanel(stat('Requests per second', [q(rate(REQUESTS), '{{runtime}}')], { unit: 'reqps', span: 6 }))
    .withPanel(stat('p99 latency', [q(quantile(0.99), '{{runtime}}')], { unit: 's', span: 6 }))
    .withPanel(stat('Non-2xx share', [q(share('status!~"2.."'), '{{runtime}}')], { unit: 'percentunit', span: 6 }))
    .withPanel(stat('CPU (cores)', [q('sum by (runtime) (rate(process_cpu_seconds_total{runtime=~"$runtime"}[$__rate_interval]))', '{{runtime}}')],
      { unit: 'percentunit', span: 6, description: 'Every process of the runtime summed (fork: master and children); 100% is one core.' }))
    .withRow(row('Throughput and latency'))
    .withPanel(timeseries('Requests per second', [q(rate(REQUESTS), '{{runtime}}')], { unit: 'reqps', min: 0 }))
    .withPanel(timeseries('Requests per second by source', [q(rate(REQUESTS, 'runtime, source'), '{{runtime}} {{source}}')],
      { unit: 'reqps', min: 0, description: 'db: MySQL reads; redis: projection reads; none: writes, health, errors answered before a handler.' }))
    .withPanel(timeseries('p50 latency', [q(quantile(0.5), '{{runtime}}')], { unit: 's', min: 0, span: 8 }))
    .withPanel(timeseries('p95 latency', [q(quantile(0.95), '{{runtime}}')], { unit: 's', min: 0, span: 8 }))
    .withPanel(timeseries('p99 latency', [q(quantile(0.99), '{{runtime}}')], { unit: 's', min: 0, span: 8 }))
    .withPanel(timeseries('Mean latency', [q(
      `sum by (runtime) (rate(cqrs_http_request_duration_seconds_sum{${REQUESTS}}[$__rate_interval])) / sum by (runtime) (rate(cqrs_http_request_duration_seconds_count{${REQUESTS}}[$__rate_interval]))`,
      '{{runtime}}')], { unit: 's', min: 0, description: 'fork measures from arrival at the master: time in its queue is included.' }))
    .withPanel(timeseries('In flight', [q('sum by (runtime) (cqrs_http_requests_in_flight{runtime=~"$runtime"})', '{{runtime}}')],
      { min: 0, description: 'Requests being handled (fork: queued ones included), read at the scrape.' }))
    .withPanel(heatmap('Request duration heatmap',
      q(`sum by (le) (increase(cqrs_http_request_duration_seconds_bucket{${REQUESTS}}[$__rate_interval]))`, '{{le}}'),
      { description: 'All selected runtimes together; pick one runtime to see its own shape.' }))
    .withRow(row('Errors'))
    .withPanel(timeseries('Non-2xx share', [q(share('status!~"2.."'), '{{runtime}}')], { unit: 'percentunit', min: 0, span: 8 }))
    .withPanel(timeseries('Server errors (5xx) share', [q(share('status=~"5.."'), '{{runtime}}')], { unit: 'percentunit', min: 0, span: 8 }))
    .withPanel(timeseries('Responses by status', [q(rate(REQUESTS, 'runtime, status'), '{{runtime}} {{status}}')], { unit: 'reqps', min: 0, span: 8 }))
    .withRow(row('Resources'))
    .withPanel(timeseries('CPU', [q('sum by (runtime) (rate(process_cpu_seconds_total{runtime=~"$runtime"}[$__rate_interval]))', '{{runtime}}')],
      { unit: 'percentunit', min: 0, span: 8, description: 'All processes of a runtime summed; 100% is one core (this machine has two, shared with MySQL, Redis and the load generator).' }))
    .withPanel(timeseries('Resident memory', [q('sum by (runtime) (process_resident_memory_bytes{runtime=~"$runtime"})', '{{runtime}}')],
      { unit: 'bytes', min: 0, span: 8, description: 'All processes summed (uws threads share one process).' }))
    .withPanel(timeseries('Event-loop utilisation (mean over workers)', [q('avg by (runtime) (cqrs_event_loop_utilization{runtime=~"$runtime"})', '{{runtime}}')],
      { unit: 'percentunit', min: 0, max: 1, span: 8, description: 'Share of time each thread\'s event loop was not idle: near 100% on every worker means the runtime is saturated (express, uws).' }))
    .build();
}
