// "Visibility lag": when a command is seen in the read model, inline and with the asynchronous read model.
import { formatMs, formatRps } from '../../format.js';
import type { BenchResults } from '../../results.js';
import type { TargetCheck } from '../analysis/checks.js';
import { scopeText } from '../prose/checks.js';
import { ASYNC_LAG_TARGET } from '../targets.js';
import { lineChart } from '../svg.js';
import type { ChartLink } from './chart.js';

const MODE_LABELS = { inline: 'inline projection (default)', async: 'asynchronous read model (INLINE_PROJECTION=0)' } as const;

export function visibilityLagSection(results: BenchResults, checks: readonly TargetCheck[], chart: ChartLink): string[] {
  const lag = results.visibilityLag;
  if (!lag || lag.points.length === 0) return [];
  const { timing } = lag;
  const lines = [
    '## Visibility lag: when a command is seen in the read model',
    '',
    `From a command's acknowledgement (\`POST /en/products\` on the writer) to the start of the first read on **another** runtime ` +
      `that finds it (\`GET /en/products/projection/:id\`). Commands are sent open-loop at a share of the writer's own maximum ` +
      `(closed loop at ${timing.maxConnections} connections for ${timing.probeSec} s, in each mode), ${timing.windowSec} s per load; ` +
      `up to ${timing.tracesPerSec} commands a second are traced, a read every millisecond or so until found (${timing.traceTimeoutMs / 1000} s at most: ` +
      `"unseen"). Inline projection answers after the command's events are in Redis: a read right after the acknowledgement finds it. ` +
      'The asynchronous read model answers after the commit and its projector applies the events.',
    '',
    '| mode | writer → reader | load | commands/s asked → done | errors | traced | seen at first read | unseen | lag p50 | p95 | p99 | max |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...lag.points.map((p) => `| ${p.mode} | ${p.writer} → ${p.reader} | ${p.loadPct}% | ${formatRps(p.targetRate)} → ${formatRps(p.achievedRate)} | ${p.errors} | ` +
      `${p.traced} | ${p.visibleAtFirstRead} | ${p.unseen} | ${formatMs(p.lagMs.p50)} | ${formatMs(p.lagMs.p95)} | ${formatMs(p.lagMs.p99)} | ${formatMs(p.lagMs.max)} |`),
    '',
    `Write maximum: ${lag.writeMax.map((m) => `${m.writer} ${m.mode} ${formatRps(m.rate)}/s`).join(', ')}.`,
  ];
  const title = 'Visibility lag p99 against write load';
  const series = [...new Set(lag.points.map((p) => `${p.writer}|${p.mode}`))].map((key) => {
    const [writer, mode] = key.split('|') as [string, 'inline' | 'async'];
    return {
      name: `${writer}, ${mode}`,
      points: lag.points.filter((p) => p.writer === writer && p.mode === mode).map((p) => ({ x: p.loadPct, y: p.lagMs.p99 })),
    };
  });
  lines.push('', chart('visibility-lag.svg', title, lineChart({
    title, subtitle: 'ms from acknowledgement to seen on another runtime (p99), by share of the write maximum', xLabel: '% of the writer\'s maximum', yUnit: 'ms', series,
    formatValue: (v) => formatMs(v),
  })));
  const verdicts = checks.filter((c) => c.target === ASYNC_LAG_TARGET.id && c.status !== 'not measured');
  if (verdicts.length > 0) {
    lines.push('', `Target: ${ASYNC_LAG_TARGET.text}.`, '',
      ...verdicts.map((v) => `- ${scopeText(v)} — ${v.status === 'pass' ? '**met**' : v.status === 'fail' ? '**missed**' : `**${v.status}**`}`));
  }
  const inline = lag.points.filter((p) => p.mode === 'inline');
  if (inline.length > 0) {
    const late = inline.filter((p) => p.visibleAtFirstRead < p.traced - p.unseen || p.unseen > 0);
    lines.push('', `- ${MODE_LABELS.inline}: ${late.length === 0 ? 'every traced command was found by the first read after its acknowledgement (read-your-writes, across runtimes)' :
      `${late.map((p) => `${p.writer} at ${p.loadPct}%: ${p.traced - p.visibleAtFirstRead} of ${p.traced} traced commands not found by the first read`).join('; ')}`}.`);
  }
  return lines;
}
