// Dependency-free SVG charts for RESULTS.md. The output is deterministic (coordinates rounded to 0.1 px,
// nothing from clocks or counters) so the same results give the same bytes, and every chart paints its own
// white background so it reads the same on GitHub's light and dark themes.
import { formatNumber } from '../format.js';
import { GRID, MUTED, PAD, TEXT, WIDTH, bar, boxes, colorOf, defaultFormat, escapeXml, formatTick, headerAndLegend, horizontalBars, horizontalFrame, horizontalGrid, line, linearScale, logScale, num, open, swatch, text, textWidth, timeScale, verticalBars, type Scale } from './svgParts.js';

export { colorOf, escapeXml } from './svgParts.js';

export interface BarSeries {
  readonly name: string;
  /** One value per category; null draws no bar (not measured). */
  readonly values: readonly (number | null)[];
}

export interface BarChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** What the values are, shown on the value axis, e.g. `req/s`. */
  readonly unit: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly orientation: 'horizontal' | 'vertical';
  /** `log` when values span decades (a bar then starts at the decade below the smallest value). */
  readonly scale?: 'linear' | 'log';
  readonly formatValue?: (value: number) => string;
}

export interface StackedBarChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** What the values are, shown under the value axis, e.g. `µs per request`. */
  readonly unit: string;
  /** One horizontal bar per category, e.g. per profiled cell. */
  readonly categories: readonly string[];
  /** The parts stacked in each bar, in order from the left; one value per category (null or 0: no part). */
  readonly segments: readonly BarSeries[];
  readonly formatValue?: (value: number) => string;
}

export interface LinePoint {
  readonly x: number;
  readonly y: number;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly LinePoint[];
}

export interface LineChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yUnit: string;
  readonly series: readonly LineSeries[];
  /** `log2` spaces doubling x values (1, 2, 4, 8…) evenly. */
  readonly xScale?: 'linear' | 'log2';
  readonly formatValue?: (value: number) => string;
}

export interface TimeSeries {
  readonly name: string;
  readonly points: readonly LinePoint[];
  /** Palette index: a series keeps its colour across panels and in the legend. */
  readonly color: number;
  readonly dashed?: boolean;
  /** Written as `data-*` attributes on the line, saying what it draws (e.g. cell and metric). */
  readonly data?: Readonly<Record<string, string>>;
}

export interface TimePanel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly TimeSeries[];
  /** Said in place of lines when no series has a point, e.g. why the runtime has no such metric. */
  readonly empty: string;
  /** A fixed top of the value axis (utilisation: 1). */
  readonly yMax?: number;
  readonly formatValue?: (value: number) => string;
}

export interface TimeSeriesChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** Names of the x axis, under every panel, e.g. `s`. */
  readonly xUnit: string;
  readonly legend: readonly { readonly name: string; readonly color: number; readonly dashed?: boolean }[];
  /** Small panels sharing the time axis, two a row, like a dashboard. */
  readonly panels: readonly TimePanel[];
  /** The end of the time axis (e.g. the load's duration), when the points stop short of it. */
  readonly xMax?: number;
  /** Vertical markers across every panel, e.g. where a repeat starts. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
}

export function barChart(spec: BarChartSpec): string {
  const format = spec.formatValue ?? defaultFormat;
  const values = spec.series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const scale = spec.scale === 'log' ? logScale(values) : linearScale(values);
  const header = headerAndLegend(spec.title, spec.subtitle, boxes(spec.series.map((s) => s.name)));
  return spec.orientation === 'horizontal'
    ? horizontalBars(spec, scale, header, format)
    : verticalBars(spec, scale, header, format);
}

/** Horizontal bars made of parts (e.g. where a request's time goes), each bar's total written at its end. */
export function stackedBarChart(spec: StackedBarChartSpec): string {
  const format = spec.formatValue ?? defaultFormat;
  const part = (s: BarSeries, c: number): number => {
    const v = s.values[c];
    return v === null || v === undefined || !Number.isFinite(v) || v < 0 ? 0 : v;
  };
  const totals = spec.categories.map((_, c) => spec.segments.reduce((sum, s) => sum + part(s, c), 0));
  const scale = linearScale(totals);
  const header = headerAndLegend(spec.title, spec.subtitle, boxes(spec.segments.map((s) => s.name)));
  const barHeight = 18;
  const bandHeight = barHeight + 10;
  const { out, left, top, toX } = horizontalFrame(spec.title, spec.unit, spec.categories, bandHeight, scale, header);
  spec.categories.forEach((category, c) => {
    const y = top + c * bandHeight + 5;
    out.push(text(left - 8, y + barHeight - 5, category, { size: 12, anchor: 'end', fill: TEXT }));
    let start = 0;
    spec.segments.forEach((segment, s) => {
      const value = part(segment, c);
      if (value <= 0) return;
      const [x0, x1] = [toX(start), toX(start + value)];
      const share = totals[c]! > 0 ? ` (${formatNumber((value / totals[c]!) * 100)}%)` : '';
      out.push(bar(x0, y, x1 - x0, barHeight, colorOf(s), `${category}, ${segment.name}: ${format(value)} ${spec.unit}${share}`));
      start += value;
    });
    out.push(text(toX(totals[c]!) + 4, y + barHeight - 5, format(totals[c]!), { size: 11, fill: TEXT }));
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function lineChart(spec: LineChartSpec): string {
  const format = spec.formatValue ?? defaultFormat;
  const header = headerAndLegend(spec.title, spec.subtitle, boxes(spec.series.map((s) => s.name)));
  const points = spec.series.flatMap((s) => s.points);
  const yScale = linearScale(points.map((p) => p.y));
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const log2 = spec.xScale === 'log2' && xs.every((x) => x > 0);
  const xPos = (x: number): number => (log2 ? Math.log2(x) : x);
  const xMin = xs.length > 0 ? xPos(xs[0] ?? 0) : 0;
  const xMax = xs.length > 0 ? xPos(xs[xs.length - 1] ?? 1) : 1;
  const xSpan = xMax - xMin || 1;

  const tickLabelWidth = Math.max(...yScale.ticks.map((t) => textWidth(formatTick(t), 11)), 10);
  const left = PAD + tickLabelWidth + 8;
  const right = WIDTH - PAD - 16;
  const top = header.bottom + 28;
  const plotHeight = 260;
  const bottom = top + plotHeight;
  const height = bottom + 52;
  const toX = (x: number): number => left + ((xPos(x) - xMin) / xSpan) * (right - left);
  const toY = (y: number): number => bottom - yScale.fraction(y) * plotHeight;

  const out = open(spec.title, height);
  out.push(...header.svg);
  out.push(text(left, top - 10, spec.yUnit, { size: 11, fill: MUTED }));
  out.push(...horizontalGrid(yScale, left, right, toY));
  for (const x of xs) {
    const px = toX(x);
    out.push(line(px, bottom, px, bottom + 5, MUTED));
    out.push(text(px, bottom + 18, formatTick(x), { size: 11, anchor: 'middle', fill: MUTED }));
  }
  out.push(line(left, bottom, right, bottom, MUTED));
  out.push(text((left + right) / 2, bottom + 38, spec.xLabel, { size: 12, anchor: 'middle', fill: TEXT }));

  spec.series.forEach((series, index) => {
    const color = colorOf(index);
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 1) {
      const path = sorted.map((p) => `${num(toX(p.x))},${num(toY(p.y))}`).join(' ');
      out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    for (const p of sorted) {
      out.push(
        `<circle cx="${num(toX(p.x))}" cy="${num(toY(p.y))}" r="4" fill="${color}" stroke="#ffffff" stroke-width="1">` +
          `<title>${escapeXml(`${series.name}: ${format(p.y)} ${spec.yUnit} at ${formatTick(p.x)}`)}</title></circle>`,
      );
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Dashboard-like small multiples: one panel per metric, lines over time, a shared legend on top. */
export function timeSeriesChart(spec: TimeSeriesChartSpec): string {
  const header = headerAndLegend(spec.title, spec.subtitle,
    spec.legend.map((item) => ({ name: item.name, color: colorOf(item.color), swatch: item.dashed ? 'dashed' : 'line' })));
  const xs = spec.panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.x)));
  const xScale = timeScale(Math.max(spec.xMax ?? 0, ...xs, ...(spec.markers ?? []).map((m) => m.x)));
  const columns = 2;
  const gap = 24;
  const panelWidth = (WIDTH - 2 * PAD - gap * (columns - 1)) / columns;
  const plotHeight = 96;
  const panelHeight = 20 + plotHeight + 36;
  const top = header.bottom + 18;
  const rows = Math.ceil(spec.panels.length / columns);
  const height = top + rows * panelHeight + 8;

  const out = open(spec.title, height);
  out.push(...header.svg);
  spec.panels.forEach((panel, index) => {
    const panelLeft = PAD + (index % columns) * (panelWidth + gap);
    const panelTop = top + Math.floor(index / columns) * panelHeight;
    out.push(...timePanel(panel, panelLeft, panelTop, panelWidth, plotHeight, xScale, spec));
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function timePanel(panel: TimePanel, panelLeft: number, panelTop: number, panelWidth: number, plotHeight: number, xScale: Scale, spec: TimeSeriesChartSpec): string[] {
  const format = panel.formatValue ?? defaultFormat;
  const values = panel.series.flatMap((s) => s.points.map((p) => p.y));
  const yScale = linearScale(panel.yMax === undefined ? values : [panel.yMax], 3);
  const tickLabelWidth = Math.max(...yScale.ticks.map((t) => textWidth(formatTick(t), 10)), 10);
  const left = panelLeft + tickLabelWidth + 6;
  const right = panelLeft + panelWidth;
  const top = panelTop + 20;
  const bottom = top + plotHeight;
  const toX = (x: number): number => left + xScale.fraction(x) * (right - left);
  const toY = (y: number): number => bottom - Math.min(1, yScale.fraction(y)) * plotHeight;

  const out = [
    `<g data-panel="${escapeXml(panel.title)}">`,
    text(panelLeft, panelTop + 10, panel.title, { size: 12, weight: 'bold', fill: TEXT }),
    text(right, panelTop + 10, panel.unit, { size: 11, anchor: 'end', fill: MUTED }),
  ];
  for (const tick of yScale.ticks) {
    const y = toY(tick);
    out.push(line(left, y, right, y, GRID), text(left - 4, y + 4, formatTick(tick), { size: 10, anchor: 'end', fill: MUTED }));
  }
  for (const tick of xScale.ticks) {
    const x = toX(tick);
    out.push(line(x, bottom, x, bottom + 4, MUTED), text(x, bottom + 15, formatTick(tick), { size: 10, anchor: 'middle', fill: MUTED }));
  }
  out.push(line(left, bottom, right, bottom, MUTED));
  out.push(text(right, bottom + 28, spec.xUnit, { size: 10, anchor: 'end', fill: MUTED }));
  for (const marker of spec.markers ?? []) {
    const x = toX(marker.x);
    out.push(`<line x1="${num(x)}" y1="${num(top)}" x2="${num(x)}" y2="${num(bottom)}" stroke="${MUTED}" stroke-width="1" stroke-dasharray="2 3"/>`);
    out.push(text(x + 3, top + 9, marker.label, { size: 9, fill: MUTED }));
  }
  if (panel.series.every((s) => s.points.length === 0)) {
    out.push(text((left + right) / 2, (top + bottom) / 2 + 4, panel.empty, { size: 11, anchor: 'middle', fill: MUTED }), '</g>');
    return out;
  }
  for (const series of panel.series) {
    const color = colorOf(series.color);
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    const data = Object.entries(series.data ?? {}).map(([key, value]) => ` data-${key}="${escapeXml(value)}"`).join('');
    if (sorted.length > 1) {
      out.push(
        `<polyline points="${sorted.map((p) => `${num(toX(p.x))},${num(toY(p.y))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"` +
          `${series.dashed ? ' stroke-dasharray="5 3"' : ''}${data}><title>${escapeXml(series.name)}</title></polyline>`,
      );
    }
    for (const p of sorted) {
      out.push(
        `<circle cx="${num(toX(p.x))}" cy="${num(toY(p.y))}" r="2" fill="${color}"${data}>` +
          `<title>${escapeXml(`${series.name}: ${format(p.y)} ${panel.unit} at ${formatNumber(p.x, 1)} ${spec.xUnit}`)}</title></circle>`,
      );
    }
  }
  out.push('</g>');
  return out;
}

