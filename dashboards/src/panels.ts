// Building blocks shared by the dashboards: the provisioned datasource, queries, and the few panel kinds
// used, with this project's defaults (one series per runtime, legends as tables, units set).
import * as common from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DashboardCursorSync, QueryVariableBuilder, RowBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as HeatmapPanelBuilder } from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** The datasource every panel uses: provisioned with this uid (docker/grafana/provisioning/datasources). */
export const DATASOURCE = Object.freeze({ type: 'prometheus', uid: 'prometheus' });

export interface Query {
  readonly expr: string;
  readonly legend: string;
}

export function q(expr: string, legend: string): Query {
  return { expr, legend };
}

function targets(queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((query, i) =>
    new DataqueryBuilder().datasource(DATASOURCE).expr(query.expr).legendFormat(query.legend).refId(String.fromCharCode(65 + i)));
}

export interface PanelOptions {
  readonly unit?: string;
  readonly description?: string;
  /** Width in grid columns (24 is the whole row). */
  readonly span?: number;
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  readonly stack?: boolean;
}

export function timeseries(title: string, queries: readonly Query[], options: PanelOptions = {}): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets(queries))
    .unit(options.unit ?? 'short')
    .span(options.span ?? 12)
    .height(options.height ?? 8)
    .lineWidth(1)
    .fillOpacity(options.stack ? 40 : 8)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder()
      .displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Bottom).showLegend(true)
      .calcs(['mean', 'max', 'lastNotNull']))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (options.description) panel.description(options.description);
  if (options.min !== undefined) panel.min(options.min);
  if (options.max !== undefined) panel.max(options.max);
  if (options.stack) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return panel;
}

/** A big number per series, as in the top row of the original's FPM and FrankenPHP dashboards. */
export function stat(title: string, queries: readonly Query[], options: PanelOptions = {}): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets(queries))
    .unit(options.unit ?? 'short')
    .span(options.span ?? 4)
    .height(options.height ?? 4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  if (options.description) panel.description(options.description);
  if (options.min !== undefined) panel.min(options.min);
  if (options.max !== undefined) panel.max(options.max);
  return panel;
}

/** Histogram buckets over time (the original's Caddy "Request duration heatmap"). */
export function heatmap(title: string, query: Query, options: PanelOptions = {}): HeatmapPanelBuilder {
  const panel = new HeatmapPanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets([query]).map((t) => t.format(PromQueryFormat.Heatmap)))
    .span(options.span ?? 24)
    .height(options.height ?? 8)
    .calculate(false);
  if (options.description) panel.description(options.description);
  return panel;
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title);
}

/** A variable filled from Prometheus label values; "All" matches every value. */
export function labelVariable(name: string, label: string, query: string, options: { multi?: boolean } = {}): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(options.multi ?? true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

/** A dashboard with this project's defaults: live (5 s refresh, last 5 minutes), shared crosshair. */
export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['cqrs-node-bench', 'generated'])
    .refresh('5s')
    .time({ from: 'now-5m', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .editable();
}
