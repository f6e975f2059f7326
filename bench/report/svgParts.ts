// The drawing parts of the SVG charts (svg.ts): scales, frames, bars, text, and the palette.
import { formatNumber } from '../format.js';
import type { BarChartSpec } from './svg.js';

export const WIDTH = 800;
export const PAD = 16;
// Tableau 10, then five more distinct hues for charts with more series (the CPU categories are 14).
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f', '#ff9da7', '#bab0ac',
  '#1b3a5c', '#8cd17d', '#d37295', '#86bcb6', '#79706e'];
export const TEXT = '#1f2328';
export const MUTED = '#57606a';
export const GRID = '#d8dee4';
export const FONT = '-apple-system, Segoe UI, Helvetica, Arial, sans-serif';

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

export interface Scale {
  readonly ticks: readonly number[];
  /** Position of a value along the axis, 0 at the base, 1 at the end. */
  fraction(value: number): number;
  /** Whether a bar can be drawn for the value (log scales cannot draw 0). */
  drawable(value: number): boolean;
}

/** From 0 to a round number at or above the largest value, in about `divisions` steps. */
export function linearScale(values: readonly number[], divisions = 5): Scale {
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
export function timeScale(max: number): Scale {
  const end = max > 0 ? max : 1;
  const step = niceStep(end / 6);
  const ticks: number[] = [];
  for (let i = 0; i * step <= end + step / 1e6; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, fraction: (value) => Math.max(0, value) / end, drawable: (value) => value >= 0 };
}

export function logScale(values: readonly number[]): Scale {
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

export function niceStep(rough: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const residual = rough / magnitude;
  const nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10;
  return nice * magnitude;
}

export interface Header {
  readonly svg: readonly string[];
  readonly bottom: number;
}

/** A legend entry: a colour box (bars) or a line, solid or dashed (time series). */
export interface LegendItem {
  readonly name: string;
  readonly color: string;
  readonly swatch: 'box' | 'line' | 'dashed';
}

export function swatch(item: LegendItem, x: number, y: number): string {
  if (item.swatch === 'box') return `<rect x="${num(x)}" y="${num(y - 10)}" width="12" height="12" rx="2" fill="${item.color}"/>`;
  return `<line x1="${num(x)}" y1="${num(y - 4)}" x2="${num(x + 18)}" y2="${num(y - 4)}" stroke="${item.color}" stroke-width="3"` +
    `${item.swatch === 'dashed' ? ' stroke-dasharray="5 3"' : ''}/>`;
}

/** Title, subtitle and a legend that wraps at the chart's width. */
export function headerAndLegend(title: string, subtitle: string | undefined, items: readonly LegendItem[]): Header {
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
export function boxes(names: readonly string[]): LegendItem[] {
  return names.map((name, index) => ({ name, color: colorOf(index), swatch: 'box' }));
}

/** The frame of a chart with one horizontal band per category: the value axis, its grid and ticks, its unit. */
export function horizontalFrame(title: string, unit: string, categories: readonly string[], bandHeight: number, scale: Scale, header: Header):
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

export function horizontalBars(spec: BarChartSpec, scale: Scale, header: Header, format: (v: number) => string): string {
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

export function verticalBars(spec: BarChartSpec, scale: Scale, header: Header, format: (v: number) => string): string {
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
export function horizontalGrid(scale: Scale, left: number, right: number, toY: (value: number) => number): string[] {
  return scale.ticks.flatMap((tick) => {
    const y = toY(tick);
    return [line(left, y, right, y, GRID), text(left - 6, y + 4, formatTick(tick), { size: 11, anchor: 'end', fill: MUTED })];
  });
}

export function open(title: string, height: number): string[] {
  const h = num(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${h}" viewBox="0 0 ${WIDTH} ${h}" role="img" font-family="${FONT}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${h}" fill="#ffffff"/>`,
  ];
}

export function bar(x: number, y: number, width: number, height: number, fill: string, tooltip: string): string {
  return (
    `<rect x="${num(x)}" y="${num(y)}" width="${num(Math.max(0, width))}" height="${num(Math.max(0, height))}" fill="${fill}">` +
    `<title>${escapeXml(tooltip)}</title></rect>`
  );
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string): string {
  return `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" stroke-width="1"/>`;
}

export interface TextStyle {
  readonly size: number;
  readonly fill: string;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly weight?: 'bold';
}

export function text(x: number, y: number, content: string, style: TextStyle): string {
  const anchor = style.anchor && style.anchor !== 'start' ? ` text-anchor="${style.anchor}"` : '';
  const weight = style.weight ? ` font-weight="${style.weight}"` : '';
  return `<text x="${num(x)}" y="${num(y)}" font-size="${style.size}" fill="${style.fill}"${anchor}${weight}>${escapeXml(content)}</text>`;
}

/** A rough width of a text (no font metrics here): enough to lay out labels and the legend. */
export function textWidth(content: string, size: number): number {
  return content.length * size * 0.6;
}

export function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** Axis ticks are round numbers: no trailing zeros (`100`, `2.5`, `0.1`). */
export function formatTick(value: number): string {
  return Number.isInteger(value) ? formatNumber(value) : formatNumber(value, 2).replace(/\.?0+$/, '');
}

export function defaultFormat(value: number): string {
  return Number.isInteger(value) ? formatNumber(value) : formatNumber(value, Math.abs(value) < 10 ? 2 : 0);
}
