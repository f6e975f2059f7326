// The dashboards this project provisions, and the PromQL they hold (what the tests run against Prometheus).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dataLayerDashboard } from './DataLayerDashboard.js';
import { loadGeneratorDashboard } from './LoadGeneratorDashboard.js';
import { poolsDashboard } from './PoolsDashboard.js';
import { runtimesDashboard } from './RuntimesDashboard.js';
import { storesDashboard } from './StoresDashboard.js';

/** Where the generated JSON goes (mounted into Grafana's dashboards provider by compose.yaml). */
export const PROVISIONED_DIR = 'dashboards/provisioned';

export const DASHBOARDS: ReadonlyArray<{ readonly file: string; readonly build: () => Dashboard }> = [
  { file: 'runtimes.json', build: () => numberPanels(runtimesDashboard()) },
  { file: 'pools.json', build: () => numberPanels(poolsDashboard()) },
  { file: 'data-layer.json', build: () => numberPanels(dataLayerDashboard()) },
  { file: 'load-generator.json', build: () => numberPanels(loadGeneratorDashboard()) },
  { file: 'stores.json', build: () => numberPanels(storesDashboard()) },
];

/** Panel ids in layout order, so links to a panel (viewPanel=N) stay stable across generations. */
function numberPanels(dashboard: Dashboard): Dashboard {
  (dashboard.panels ?? []).forEach((panel, i) => { panel.id = i + 1; });
  return dashboard;
}

/** A dashboard as Grafana reads it: JSON text with a final newline, stable across runs. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
  readonly datasourceUid: string | undefined;
}

interface JsonPanel {
  title?: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
  panels?: JsonPanel[];
}

/** Every query of every panel (rows' nested panels included). */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  const queries: PanelQuery[] = [];
  const visit = (panels: readonly JsonPanel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr) queries.push({ dashboard: dashboard.uid ?? '', panel: panel.title ?? '', expr: target.expr, datasourceUid: target.datasource?.uid ?? panel.datasource?.uid });
      }
      visit(panel.panels ?? []);
    }
  };
  visit((dashboard.panels ?? []) as JsonPanel[]);
  return queries;
}

/** The template variables' queries, e.g. `label_values(cqrs_http_requests_total, runtime)`. */
export function variableQueries(dashboard: Dashboard): Array<{ name: string; query: string; datasourceUid: string | undefined }> {
  return (dashboard.templating?.list ?? []).map((variable) => ({
    name: variable.name,
    query: typeof variable.query === 'string' ? variable.query : String((variable.query as { query?: string } | undefined)?.query ?? ''),
    datasourceUid: variable.datasource?.uid ?? undefined,
  }));
}
