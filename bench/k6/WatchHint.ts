// What `make k6-*` prints about watching a run: the Grafana dashboards, and where k6's numbers go (or that a
// fallback driver sends none).

import type { ObserveSettings } from '../../core/index.js';
export type LoadDriverKind = 'k6' | 'docker' | 'fallback';

/** Dashboard of the servers (runtime metrics scraped by Prometheus), whatever drives the load. */
export function runtimesDashboardUrl(observe: Pick<ObserveSettings, 'grafanaUrl'>): string {
  return `${observe.grafanaUrl}/d/cqrs-runtimes`;
}

/** Dashboard of k6's own view (requests, latency, failures as k6 saw them, by remote write). */
export function loadDashboardUrl(observe: Pick<ObserveSettings, 'grafanaUrl'>): string {
  return `${observe.grafanaUrl}/d/cqrs-load`;
}

export function watchHints(driver: LoadDriverKind, observe: Pick<ObserveSettings, 'grafanaUrl'>, remoteWriteUrl: string, testId: string): string[] {
  if (driver === 'fallback') {
    return [
      `watch the servers: ${runtimesDashboardUrl(observe)} (\`make observe\` starts Prometheus)`,
      'no k6 view for this run: the fallback driver does not write to Prometheus; the server-side dashboards still work',
    ];
  }
  return [
    `watch: ${loadDashboardUrl(observe)} (k6's view, testid=${testId}) and ${runtimesDashboardUrl(observe)} (the servers)`,
    `k6 remote-writes to ${remoteWriteUrl} (\`make observe\` starts Prometheus)`,
  ];
}
