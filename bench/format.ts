// The one place numbers become text, for the report (bench/report/) and the bench's own console lines alike:
// the same figure reads the same everywhere.

/** `value` with `decimals` fixed decimals and thousands separators: 12345.6 → `12,346`, (1.234, 2) → `1.23`. */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return '–';
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negative = value < 0 && /[1-9]/.test(fixed);
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

export function formatRps(rps: number): string {
  // Below 10 req/s an integer would hide the difference between the original's slowest stages.
  return rps < 10 && !Number.isInteger(rps) ? formatNumber(rps, 1) : formatNumber(rps);
}

export function formatMs(ms: number): string {
  return formatNumber(ms, 2);
}

export function formatRatio(ratio: number): string {
  // Past 100× the hundredths say nothing a run can repeat.
  return `${formatNumber(ratio, Math.abs(ratio) >= 100 ? 0 : 2)}×`;
}

/** A share (0–1) as a whole percentage: 0.285 → `29%`. */
export function formatShare(share: number): string {
  return `${formatNumber(share * 100)}%`;
}

/** Ratios as min–max (one: itself), or – when there are none. */
export function formatRange(ratios: readonly number[] | null): string {
  if (!ratios || ratios.length === 0) return '–';
  const sorted = [...ratios].sort((a, b) => a - b);
  return sorted.length === 1 ? formatRatio(sorted[0]!) : `${formatRatio(sorted[0]!)}–${formatRatio(sorted[sorted.length - 1]!)}`;
}

/** Text safe inside a markdown table cell. */
export function cellText(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function dateText(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function durationText(startedAt: string, finishedAt: string): string {
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes > 0 ? `${minutes} min ${seconds} s` : `${seconds} s`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return count === 1 ? one : many;
}

/** A Markdown bullet wrapped at `width` characters, its continuation lines indented under the text. */
export function wrappedBullet(text: string, width = 120): string[] {
  const lines: string[] = [];
  let line = '-';
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > width && line.trim() !== '-') {
      lines.push(line);
      line = ' ';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}
