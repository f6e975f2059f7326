// "Data layer and projections": what the runtimes wait for (MySQL, Redis) and how far the read model is
// behind the write model.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, labelVariable, q, row, stat, timeseries } from './panels.js';

const RUNTIME = 'runtime=~"$runtime"';
const quantile = (p: number, metric: string, by: string) =>
  `histogram_quantile(${p}, sum by (${by}, le) (rate(${metric}_bucket{${RUNTIME}}[$__rate_interval])))`;

export function dataLayerDashboard(): Dashboard {
  return dashboard('cqrs-data', 'cqrs-node-bench: data layer and projections',
    'MySQL query and Redis command round trips as the runtimes see them, the projector\'s lag behind the outbox, and events applied.')
    .withVariable(labelVariable('runtime', 'Runtime', 'label_values(cqrs_http_requests_total, runtime)'))
    .withRow(row('Projections'))
    .withPanel(stat('Projector lag (events)', [q(`max by (runtime) (cqrs_projector_lag_events{${RUNTIME}})`, '{{runtime}}')],
      { span: 8, description: 'Outbox position minus the projector\'s checkpoint; -1 when MySQL or Redis cannot be read.' }))
    .withPanel(stat('Inline projection failures', [q(`sum by (runtime) (cqrs_projector_inline_failures_total{${RUNTIME}})`, '{{runtime}}')],
      { span: 8, description: 'Projections a command could not write after its commit (Redis down): left to the projector, never lost.' }))
    .withPanel(stat('Events applied per second', [q(`sum by (runtime) (rate(cqrs_projector_events_applied_total{${RUNTIME}}[$__rate_interval]))`, '{{runtime}}')],
      { unit: 'short', span: 8 }))
    .withPanel(timeseries('Projector lag', [q(`max by (runtime) (cqrs_projector_lag_events{${RUNTIME}})`, '{{runtime}}')], { min: -1 }))
    .withPanel(timeseries('Events applied per second', [q(`sum by (runtime, path) (rate(cqrs_projector_events_applied_total{${RUNTIME}}[$__rate_interval]))`, '{{runtime}} {{path}}')],
      { min: 0, description: 'inline: by the command, right after its commit (read-your-writes); catch-up: by the projector from the outbox (every event, idempotently).' }))
    .withPanel(timeseries('Inline projection failures per second', [q(`sum by (runtime) (rate(cqrs_projector_inline_failures_total{${RUNTIME}}[$__rate_interval]))`, '{{runtime}}')], { min: 0 }))
    .withPanel(timeseries('Requests per second by source', [q(`sum by (runtime, source) (rate(cqrs_http_requests_total{${RUNTIME}, source=~"db|redis"}[$__rate_interval]))`, '{{runtime}} {{source}}')],
      { unit: 'reqps', min: 0 }))
    .withRow(row('MySQL'))
    .withPanel(timeseries('MySQL queries per second', [q(`sum by (runtime) (rate(cqrs_mysql_query_duration_seconds_count{${RUNTIME}}[$__rate_interval]))`, '{{runtime}}')],
      { min: 0, span: 8 }))
    .withPanel(timeseries('MySQL query p50', [q(quantile(0.5, 'cqrs_mysql_query_duration_seconds', 'runtime'), '{{runtime}}')], { unit: 's', min: 0, span: 8 }))
    .withPanel(timeseries('MySQL query p99', [q(quantile(0.99, 'cqrs_mysql_query_duration_seconds', 'runtime'), '{{runtime}}')], { unit: 's', min: 0, span: 8 }))
    .withRow(row('Redis'))
    .withPanel(timeseries('Redis commands per second, by command', [q(`sum by (runtime, command) (rate(cqrs_redis_command_duration_seconds_count{${RUNTIME}}[$__rate_interval]))`, '{{runtime}} {{command}}')],
      { min: 0, span: 8 }))
    .withPanel(timeseries('Redis command p50, by command', [q(quantile(0.5, 'cqrs_redis_command_duration_seconds', 'runtime, command'), '{{runtime}} {{command}}')], { unit: 's', min: 0, span: 8 }))
    .withPanel(timeseries('Redis command p99, by command', [q(quantile(0.99, 'cqrs_redis_command_duration_seconds', 'runtime, command'), '{{runtime}} {{command}}')], { unit: 's', min: 0, span: 8 }))
    .build();
}
