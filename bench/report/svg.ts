// Dependency-free SVG charts for RESULTS.md. The output is deterministic (coordinates rounded to 0.1 px,
// nothing from clocks or counters) so the same results give the same bytes, and every chart paints its own
// white background so it reads the same on GitHub's light and dark themes.
import { formatNumber } from '../format.js';

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

const WIDTH = 800;
const PAD = 16;
// Tableau 10, then five more distinct hues for charts with more series (the CPU categories are 14).
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f', '#ff9da7', '#bab0ac',
  '#1b3a5c', '#8cd17d', '#d37295', '#86bcb6', '#79706e'];
const TEXT = '#1f2328';
const MUTED = '#57606a';
const GRID = '#d8dee4';
const FONT = '-apple-system, Segoe UI, Helvetica, Arial, sans-serif';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length] ?? TEXT;
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

interface Scale {
  readonly ticks: readonly number[];
  /** Position of a value along the axis, 0 at the base, 1 at the end. */
  fraction(value: number): number;
  /** Whether a bar can be drawn for the value (log scales cannot draw 0). */
  drawable(value: number): boolean;
}

/** From 0 to a round number at or above the largest value, in about `divisions` steps. */
function linearScale(values: readonly number[], divisions = 5): Scale {
  const max = Math.max(0, ...values);
  const step = niceStep(max > 0 ? max / divisions : 1);
  const end = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let i = 0; i * step <= end + step / 1e6; i++) ticks.push(Number((i * step).toPrecision(12)));
  return {
    ticks,
    fraction: (value) => Math.max(0, value) / end,
    drawable: (value) => value >= 0,
  };
}

/** From 0 to exactly `max` (the time the load ran, not a round number beyond it), ticks at round steps. */
function timeScale(max: number): Scale {
  const end = max > 0 ? max : 1;
  const step = niceStep(end / 6);
  const ticks: number[] = [];
  for (let i = 0; i * step <= end + step / 1e6; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, fraction: (value) => Math.max(0, value) / end, drawable: (value) => value >= 0 };
}

function logScale(values: readonly number[]): Scale {
  const positive = values.filter((v) => v > 0);
  const lowExp = Math.floor(Math.log10(Math.min(...positive, 1)));
  let highExp = Math.ceil(Math.log10(Math.max(...positive, 10)));
  if (highExp <= lowExp) highExp = lowExp + 1;
  const ticks: number[] = [];
  for (let e = lowExp; e <= highExp; e++) ticks.push(Number((10 ** e).toPrecision(12)));
  return {
    ticks,
    fraction: (value) => (value > 0 ? Math.max(0, (Math.log10(value) - lowExp) / (highExp - lowExp)) : 0),
    drawable: (value) => value > 0,
  };
}

function niceStep(rough: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const residual = rough / magnitude;
  const nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10;
  return nice * magnitude;
}

interface Header {
  readonly svg: readonly string[];
  readonly bottom: number;
}

/** A legend entry: a colour box (bars) or a line, solid or dashed (time series). */
interface LegendItem {
  readonly name: string;
  readonly color: string;
  readonly swatch: 'box' | 'line' | 'dashed';
}

function swatch(item: LegendItem, x: number, y: number): string {
  if (item.swatch === 'box') return `<rect x="${num(x)}" y="${num(y - 10)}" width="12" height="12" rx="2" fill="${item.color}"/>`;
  return `<line x1="${num(x)}" y1="${num(y - 4)}" x2="${num(x + 18)}" y2="${num(y - 4)}" stroke="${item.color}" stroke-width="3"` +
    `${item.swatch === 'dashed' ? ' stroke-dasharray="5 3"' : ''}/>`;
}

/** Title, subtitle and a legend that wraps at the chart's width. */
function headerAndLegend(title: string, subtitle: string | undefined, items: readonly LegendItem[]): Header {
  const svg = [text(PAD, 26, title, { size: 16, weight: 'bold', fill: TEXT })];
  let y = 26;
  if (subtitle) {
    y += 20;
    svg.push(text(PAD, y, subtitle, { size: 12, fill: MUTED }));
  }
  y += 24;
  let x = PAD;
  for (const item of items) {
    const swatchWidth = item.swatch === 'box' ? 18 : 24;
    const itemWidth = swatchWidth + textWidth(item.name, 12) + 18;
    if (x > PAD && x + itemWidth > WIDTH - PAD) {
      x = PAD;
      y += 20;
    }
    svg.push(swatch(item, x, y));
    svg.push(text(x + swatchWidth, y, item.name, { size: 12, fill: TEXT }));
    x += itemWidth;
  }
  return { svg, bottom: y };
}

/** Legend entries of bar series: one colour box each, in series order. */
function boxes(names: readonly string[]): LegendItem[] {
  return names.map((name, index) => ({ name, color: colorOf(index), swatch: 'box' }));
}

/** The frame of a chart with one horizontal band per category: the value axis, its grid and ticks, its unit. */
function horizontalFrame(title: string, unit: string, categories: readonly string[], bandHeight: number, scale: Scale, header: Header):
  { out: string[]; left: number; top: number; toX: (value: number) => number } {
  const labelWidth = Math.max(...categories.map((c) => textWidth(c, 12)), 20);
  const left = PAD + labelWidth + 10;
  const right = WIDTH - PAD - 72;
  const top = header.bottom + 18;
  const bottom = top + categories.length * bandHeight;
  const toX = (value: number): number => left + scale.fraction(value) * (right - left);
  const out = open(title, bottom + 50);
  out.push(...header.svg);
  for (const tick of scale.ticks) {
    const x = toX(tick);
    out.push(line(x, top, x, bottom, GRID));
    out.push(text(x, bottom + 16, formatTick(tick), { size: 11, anchor: 'middle', fill: MUTED }));
  }
  out.push(line(left, bottom, right, bottom, MUTED));
  out.push(line(left, top, left, bottom, MUTED));
  out.push(text((left + right) / 2, bottom + 36, unit, { size: 12, anchor: 'middle', fill: TEXT }));
  return { out, left, top, toX };
}

function horizontalBars(spec: BarChartSpec, scale: Scale, header: Header, format: (v: number) => string): string {
  const barHeight = 14;
  const barGap = 2;
  const bandPadding = 14;
  const seriesCount = Math.max(1, spec.series.length);
  const bandHeight = seriesCount * (barHeight + barGap) - barGap + bandPadding;
  const { out, left, top, toX } = horizontalFrame(spec.title, spec.unit, spec.categories, bandHeight, scale, header);

  spec.categories.forEach((category, c) => {
    const bandTop = top + c * bandHeight + bandPadding / 2;
    const bandMiddle = bandTop + (bandHeight - bandPadding) / 2;
    out.push(text(left - 8, bandMiddle + 4, category, { size: 12, anchor: 'end', fill: TEXT }));
    spec.series.forEach((series, s) => {
      const value = series.values[c];
      if (value === null || value === undefined || !Number.isFinite(value) || !scale.drawable(value)) return;
      const y = bandTop + s * (barHeight + barGap);
      const end = toX(value);
      out.push(bar(left, y, end - left, barHeight, colorOf(s), `${series.name}, ${category}: ${format(value)} ${spec.unit}`));
      out.push(text(end + 4, y + barHeight - 3, format(value), { size: 11, fill: TEXT }));
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function verticalBars(spec: BarChartSpec, scale: Scale, header: Header, format: (v: number) => string): string {
  const seriesCount = Math.max(1, spec.series.length);
  const tickLabelWidth = Math.max(...scale.ticks.map((t) => textWidth(formatTick(t), 11)), 10);
  const left = PAD + tickLabelWidth + 8;
  const right = WIDTH - PAD;
  const top = header.bottom + 36;
  const plotHeight = 240;
  const bottom = top + plotHeight;
  const height = bottom + 40;
  const bandWidth = (right - left) / Math.max(1, spec.categories.length);
  const barWidth = Math.min(40, (bandWidth - 20) / seriesCount);
  const toY = (value: number): number => bottom - scale.fraction(value) * plotHeight;

  const out = open(spec.title, height);
  out.push(...header.svg);
  out.push(text(left, top - 14, spec.unit, { size: 11, fill: MUTED }));
  out.push(...horizontalGrid(scale, left, right, toY));
  out.push(line(left, bottom, right, bottom, MUTED));

  spec.categories.forEach((category, c) => {
    const bandLeft = left + c * bandWidth;
    const groupLeft = bandLeft + (bandWidth - barWidth * seriesCount) / 2;
    out.push(text(bandLeft + bandWidth / 2, bottom + 18, category, { size: 12, anchor: 'middle', fill: TEXT }));
    spec.series.forEach((series, s) => {
      const value = series.values[c];
      if (value === null || value === undefined || !Number.isFinite(value) || !scale.drawable(value)) return;
      const x = groupLeft + s * barWidth;
      const y = toY(value);
      out.push(bar(x + 1, y, barWidth - 2, bottom - y, colorOf(s), `${series.name}, ${category}: ${format(value)} ${spec.unit}`));
      out.push(text(x + barWidth / 2, y - 4, format(value), { size: 10, anchor: 'middle', fill: TEXT }));
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Grid lines across the plot at each tick of a vertical value axis, with the tick labels on the left. */
function horizontalGrid(scale: Scale, left: number, right: number, toY: (value: number) => number): string[] {
  return scale.ticks.flatMap((tick) => {
    const y = toY(tick);
    return [line(left, y, right, y, GRID), text(left - 6, y + 4, formatTick(tick), { size: 11, anchor: 'end', fill: MUTED })];
  });
}

function open(title: string, height: number): string[] {
  const h = num(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${h}" viewBox="0 0 ${WIDTH} ${h}" role="img" font-family="${FONT}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${h}" fill="#ffffff"/>`,
  ];
}

function bar(x: number, y: number, width: number, height: number, fill: string, tooltip: string): string {
  return (
    `<rect x="${num(x)}" y="${num(y)}" width="${num(Math.max(0, width))}" height="${num(Math.max(0, height))}" fill="${fill}">` +
    `<title>${escapeXml(tooltip)}</title></rect>`
  );
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string): string {
  return `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" stroke-width="1"/>`;
}

interface TextStyle {
  readonly size: number;
  readonly fill: string;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly weight?: 'bold';
}

function text(x: number, y: number, content: string, style: TextStyle): string {
  const anchor = style.anchor && style.anchor !== 'start' ? ` text-anchor="${style.anchor}"` : '';
  const weight = style.weight ? ` font-weight="${style.weight}"` : '';
  return `<text x="${num(x)}" y="${num(y)}" font-size="${style.size}" fill="${style.fill}"${anchor}${weight}>${escapeXml(content)}</text>`;
}

/** A rough width of a text (no font metrics here): enough to lay out labels and the legend. */
function textWidth(content: string, size: number): number {
  return content.length * size * 0.6;
}

function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** Axis ticks are round numbers: no trailing zeros (`100`, `2.5`, `0.1`). */
function formatTick(value: number): string {
  return Number.isInteger(value) ? formatNumber(value) : formatNumber(value, 2).replace(/\.?0+$/, '');
}

function defaultFormat(value: number): string {
  return Number.isInteger(value) ? formatNumber(value) : formatNumber(value, Math.abs(value) < 10 ? 2 : 0);
}
