// "Load generator": k6's own view of a run (what the client saw), written to Prometheus by
// `k6 run -o experimental-prometheus-rw` (make k6-*), beside the servers' view of the same seconds.
// k6 writes each trend statistic as a gauge in seconds, computed since the start of the run (grafana/k6,
// internal/output/prometheusrw): its percentiles are cumulative, the servers' are per interval.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, labelVariable, q, row, stat, timeseries } from './panels.js';

const RUN = 'testid=~"$testid", phase="main"';
const clientRate = (selector: string) =>
  `sum by (runtime, operation) (rate(k6_http_reqs_total{${selector}}[$__rate_interval]))`;
const total = (selector: string) => `sum by (runtime, operation) (k6_http_reqs_total{${selector}})`;
const trend = (stat: string) => `max by (runtime, operation) (k6_http_req_duration_${stat}{${RUN}})`;
const SERVER = 'route!="/metrics"';

export function loadGeneratorDashboard(): Dashboard {
  return dashboard('cqrs-load', 'cqrs-node-bench: load generator (k6) and servers',
    'What k6 saw (make k6-<runtime>-<entity>-<source>, with Prometheus from make observe or compose) beside what the runtimes measured. Runs are told apart by testid.')
    .withVariable(labelVariable('testid', 'k6 run', 'label_values(k6_http_reqs_total, testid)'))
    .withRow(row('Client (k6)'))
    .withPanel(stat('k6 requests per second', [q(clientRate(RUN), '{{runtime}} {{operation}}')], { unit: 'reqps', span: 6 }))
    .withPanel(stat('k6 p99 (since run start)', [q(trend('p99'), '{{runtime}} {{operation}}')], { unit: 's', span: 6 }))
    .withPanel(stat('k6 failed share (run)', [q(
      `(${total(`${RUN}, expected_response="false"`)} or 0 * ${total(RUN)}) / ${total(RUN)}`, '{{runtime}} {{operation}}')],
      { unit: 'percentunit', span: 6, description: 'Requests k6 counted as failed (status ≥ 400 or no response) since the run began.' }))
    .withPanel(stat('Virtual users', [q('sum by (runtime) (k6_vus{testid=~"$testid"})', '{{runtime}}')], { span: 6 }))
    .withPanel(timeseries('k6 requests per second', [q(clientRate(RUN), '{{runtime}} {{operation}}')], { unit: 'reqps', min: 0 }))
    .withPanel(timeseries('k6 latency percentiles (since run start)', [
      q(trend('p50'), '{{runtime}} {{operation}} p50'),
      q(trend('p95'), '{{runtime}} {{operation}} p95'),
      q(trend('p99'), '{{runtime}} {{operation}} p99'),
    ], { unit: 's', min: 0 }))
    .withPanel(timeseries('k6 failures per second', [q(
      `${clientRate(`${RUN}, expected_response="false"`)} or 0 * ${clientRate(RUN)}`, '{{runtime}} {{operation}}')], { unit: 'reqps', min: 0, span: 8 }))
    .withPanel(timeseries('k6 checks passing', [q(`min by (runtime, operation) (k6_checks_rate{${RUN}})`, '{{runtime}} {{operation}}')],
      { unit: 'percentunit', min: 0, max: 1, span: 8 }))
    .withPanel(timeseries('k6 data received', [q(`sum by (runtime) (rate(k6_data_received_total{${RUN}}[$__rate_interval]))`, '{{runtime}}')],
      { unit: 'Bps', min: 0, span: 8 }))
    .withRow(row('Servers (the same seconds, from the runtimes\' /metrics)'))
    .withPanel(timeseries('Server requests per second', [q(`sum by (runtime) (rate(cqrs_http_requests_total{${SERVER}}[$__rate_interval]))`, '{{runtime}}')],
      { unit: 'reqps', min: 0, description: 'Should match k6\'s rate: a gap means requests k6 counted that the server did not answer (or the reverse).' }))
    .withPanel(timeseries('Server p99 latency', [q(
      `histogram_quantile(0.99, sum by (runtime, le) (rate(cqrs_http_request_duration_seconds_bucket{${SERVER}}[$__rate_interval])))`, '{{runtime}}')],
      { unit: 's', min: 0, description: 'Server time only; k6\'s latency adds the network and its own scheduling.' }))
    .build();
}
