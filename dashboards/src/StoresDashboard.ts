// "Data stores": MariaDB and Redis as their own exporters see them (mysqld_exporter, redis_exporter: server-wide,
// every client counted, not only the runtimes), and how far the read model trails the write model. The original
// demo's advice for its slow-Redis question was to watch Redis during the load; this is where.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, labelVariable, q, row, stat, timeseries } from './panels.js';

const RUNTIME = 'runtime=~"$runtime"';
const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;

/** Visibility lag quantile by path, from the histogram the runtimes record as they apply events. */
export const visibilityLag = (p: number) =>
  `histogram_quantile(${p}, sum by (path, le) (${rate(`cqrs_projection_lag_seconds_bucket{${RUNTIME}}`)}))`;

const SERVER_WIDE = 'Server-wide (every database and client of this MariaDB), from mysqld_exporter.';
const REDIS_WIDE = 'Server-wide (every database and client of this Redis), from redis_exporter.';

export function storesDashboard(): Dashboard {
  return dashboard('cqrs-stores', 'cqrs-node-bench: data stores',
    'MariaDB and Redis from their own exporters during a load (commits, fsyncs, row locks, threads, buffer pool; commands, latency, memory, clients, keys), and the outbox backlog and visibility lag.')
    .withVariable(labelVariable('runtime', 'Runtime', 'label_values(cqrs_projector_lag_events, runtime)'))
    .withRow(row('Outbox and visibility'))
    .withPanel(timeseries('Outbox backlog (events)', [q(`max by (runtime) (cqrs_projector_lag_events{${RUNTIME}})`, '{{runtime}}')],
      { span: 8, min: -1, description: 'Events committed to the outbox and not yet applied by the projector (outbox position minus checkpoint); -1 when MySQL or Redis cannot be read.' }))
    .withPanel(timeseries('Visibility lag p50, by path', [q(visibilityLag(0.5), '{{path}}')],
      { unit: 's', min: 0, span: 8, description: 'From an event\'s commit to its projection applied in Redis. inline: by the command itself after its commit; catch-up: by the projector polling the outbox.' }))
    .withPanel(timeseries('Visibility lag p99, by path', [q(visibilityLag(0.99), '{{path}}')], { unit: 's', min: 0, span: 8 }))
    .withRow(row('MariaDB'))
    .withPanel(timeseries('Commits per second', [
      q(`sum(${rate('mysql_global_status_commands_total{command="commit"}')})`, 'COMMIT statements'),
      q(`sum(${rate('mysql_global_status_handlers_total{handler="commit"}')})`, 'storage-engine commits (autocommit included)'),
    ], { min: 0, span: 8, description: SERVER_WIDE }))
    .withPanel(timeseries('InnoDB fsyncs and log writes per second', [
      q(`sum(${rate('mysql_global_status_innodb_data_fsyncs')})`, 'fsyncs (data and redo log)'),
      q(`sum(${rate('mysql_global_status_innodb_log_writes')})`, 'redo log writes'),
    ], { min: 0, span: 8, description: `With innodb_flush_log_at_trx_commit=1 (the default) every commit waits for an fsync of the redo log. MariaDB 10.11 has no Innodb_os_log_fsyncs; its Innodb_data_fsyncs counts the log's too. ${SERVER_WIDE}` }))
    .withPanel(timeseries('Threads running', [
      q('sum(mysql_global_status_threads_running)', 'running'),
      q('sum(mysql_global_status_threads_connected)', 'connected'),
    ], { min: 0, span: 8, description: `Running: executing a statement now (the scrape's own included). ${SERVER_WIDE}` }))
    .withPanel(timeseries('Row-lock waits per second', [
      q(`sum(${rate('mysql_global_status_innodb_row_lock_waits')})`, 'waits begun'),
      q('sum(mysql_global_status_innodb_row_lock_current_waits)', 'waiting now'),
    ], { min: 0, span: 8, description: `A statement waiting for a row another transaction holds (two commands on the same row). ${SERVER_WIDE}` }))
    .withPanel(timeseries('Row-lock time waited per second', [
      q(`sum(${rate('mysql_global_status_innodb_row_lock_time')}) / 1000`, 'seconds waited per second'),
    ], { unit: 's', min: 0, span: 8, description: `Innodb_row_lock_time (milliseconds) as seconds waited per second: 2 means two statements waited all along. ${SERVER_WIDE}` }))
    .withPanel(timeseries('Buffer-pool hit ratio', [
      q(`1 - sum(${rate('mysql_global_status_innodb_buffer_pool_reads')}) / sum(${rate('mysql_global_status_innodb_buffer_pool_read_requests')})`, 'hit ratio'),
    ], { unit: 'percentunit', max: 1, span: 8, description: `Page reads served from memory: 1 − disk reads ÷ read requests. No value when nothing was read. ${SERVER_WIDE}` }))
    .withRow(row('Redis'))
    .withPanel(timeseries('Redis commands per second, by command', [q(`sum by (cmd) (${rate('redis_commands_total')})`, '{{cmd}}')],
      { min: 0, span: 12, description: REDIS_WIDE }))
    .withPanel(timeseries('Redis command latency, by command', [
      q(`sum by (cmd) (${rate('redis_commands_duration_seconds_total')}) / sum by (cmd) (${rate('redis_commands_total')})`, '{{cmd}}'),
    ], { unit: 's', min: 0, span: 12, description: `Mean time Redis spent executing each command (server side: no network, no queueing). The runtimes' view, round trip included, is on the data layer dashboard. ${REDIS_WIDE}` }))
    .withPanel(stat('Redis memory used', [q('sum(redis_memory_used_bytes)', 'used')], { unit: 'bytes', span: 8 }))
    .withPanel(stat('Redis connected clients', [q('sum(redis_connected_clients)', 'clients')], { span: 8 }))
    .withPanel(stat('Redis keys', [q('sum(redis_db_keys)', 'keys')], { span: 8 }))
    .withPanel(timeseries('Redis memory', [q('sum(redis_memory_used_bytes)', 'used')],
      { unit: 'bytes', min: 0, span: 8, description: REDIS_WIDE }))
    .withPanel(timeseries('Redis clients', [q('sum(redis_connected_clients)', 'connected'), q('sum(redis_blocked_clients)', 'blocked')],
      { min: 0, span: 8, description: `The runtimes' connections, the projector's, and every other client. ${REDIS_WIDE}` }))
    .withPanel(timeseries('Redis keys, by database', [q('sum by (db) (redis_db_keys) > 0', '{{db}}')],
      { min: 0, span: 8, description: 'Databases holding keys (REDIS_URL\'s index is the runtimes\' one).' }))
    .build();
}
