// The verdict: a few sentences on the first screen of RESULTS.md and in README's generated block, written from the
// findings — which server model wins which workload and by how much, what the read model buys, where each runtime
// stands against its floor, and how the targets fare.
import { formatRange, formatRatio, formatRps, plural } from '../../format.js';
import type { BenchResults, Cell } from '../../results.js';
import { median, OPERATIONS } from '../analysis/common.js';
import type { Findings } from '../analysis/index.js';
import { targetById } from '../targets.js';
import { runtimeLabel } from './floors.js';

interface Workload {
  readonly name: string;
  /** The cells each runtime is compared on, one group per scenario. */
  readonly scenarios: readonly (readonly Cell[])[];
}

function workloads(results: BenchResults, all: Findings): Workload[] {
  const matrix = results.cells.filter((c) => c.group === 'matrix' && c.readMode === 'default');
  const byScenario = (cells: readonly Cell[]) => [...new Set(cells.map((c) => `${c.entity}/${c.source}/${c.operation}/${c.listQuery}/${c.connections ?? ''}`))]
    .map((key) => cells.filter((c) => `${c.entity}/${c.source}/${c.operation}/${c.listQuery}/${c.connections ?? ''}` === key));
  const most = Math.max(0, ...all.writes.map((w) => w.connections));
  return [
    ...OPERATIONS.map((operation) => ({ name: operation === 'get' ? 'reads by id' : 'pages of 50', scenarios: byScenario(matrix.filter((c) => c.operation === operation && (operation === 'get' || c.listQuery === 'limit=50'))) })),
    { name: `writes at ${most} connections`, scenarios: byScenario(all.writes.filter((w) => w.connections === most).map((w) => w.cell)) },
    { name: 'mixed reads and commands', scenarios: byScenario(all.mixed) },
  ];
}

/** Per workload: the runtime fastest in most scenarios, in how many, and its median lead over the next runtime there. */
export function workloadWinners(results: BenchResults, all: Findings): { workload: string; runtime: string; wins: number; of: number; lead: number }[] {
  return workloads(results, all).flatMap(({ name, scenarios }) => {
    const ranked = scenarios.filter((cells) => new Set(cells.map((c) => c.runtime)).size > 1)
      .map((cells) => [...cells].sort((a, b) => b.summary.rps.median - a.summary.rps.median));
    if (ranked.length === 0) return [];
    const wins = new Map<string, number>();
    for (const cells of ranked) wins.set(cells[0]!.runtime, (wins.get(cells[0]!.runtime) ?? 0) + 1);
    const [runtime, count] = [...wins.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const leads = ranked.filter((cells) => cells[0]!.runtime === runtime && cells[1]!.summary.rps.median > 0).map((cells) => cells[0]!.summary.rps.median / cells[1]!.summary.rps.median);
    return [{ workload: name, runtime, wins: count, of: ranked.length, lead: median(leads) }];
  });
}

export function verdictSentences(results: BenchResults, all: Findings): string[] {
  const sentences: string[] = [];
  const winners = workloadWinners(results, all);
  if (winners.length > 0) {
    sentences.push(`Server models: ${winners.map((w) => `on ${w.workload} **${w.runtime}** is fastest in ${w.wins} of ${w.of} ${plural(w.of, 'scenario')}, ` +
      `a median ${formatRatio(w.lead)} the next runtime`).join('; ')}.`);
  }
  const bySource = all.runtimes.flatMap((runtime) => {
    const ratios = all.sourceRatios.filter((f) => f.runtime === runtime && f.ratio !== null).map((f) => f.ratio!);
    return ratios.length > 0 ? [`${runtime} ${formatRatio(median(ratios))} (${formatRange(ratios)})`] : [];
  });
  const original = all.readModes.filter((f) => f.operation === 'list' && f.overall.speedup !== null);
  if (bySource.length > 0 || original.length > 0) {
    sentences.push('What the read model buys: ' + [
      bySource.length > 0 ? `Redis projections serve a median ${bySource.join(', ')} the rate of the same reads from MySQL` : '',
      original.length > 0 ? `the default read path serves ${original.map((f) => `${formatRatio(f.overall.speedup!)} the original's rate on ${f.runtime} ${f.entity} lists (${formatRps(f.overall.originalRps!)} → ${formatRps(f.overall.defaultRps!)} req/s)`).join(', ')}` : '',
    ].filter(Boolean).join('; ') + '.');
  }
  const own = all.floors.filter((f) => f.floor !== 'node-http' && f.overhead !== null);
  const labels = [...new Set(own.map((f) => runtimeLabel(f)))];
  if (labels.length > 0) {
    sentences.push(`Against its floor (a minimal server doing only the cell's work on the same server model): ${labels.map((label) => {
      const ratios = own.filter((f) => runtimeLabel(f) === label).map((f) => f.overhead!);
      return `${label} reaches ${formatRange(ratios)} of it (median ${formatRatio(median(ratios))})`;
    }).join('; ')}.`);
  }
  const by = (status: string) => all.outcomes.filter((o) => o.status === status).map((o) => targetById(o.target).name);
  const measured = all.outcomes.filter((o) => o.status !== 'not measured').length;
  sentences.push(`Targets: ${by('pass').length} of ${measured} measured met` +
    [['missed', by('fail')], ['inconclusive (driver-bound)', by('inconclusive')], ['not measured', by('not measured')]]
      .filter(([, names]) => names!.length > 0).map(([word, names]) => `; ${word}: ${(names as string[]).join(', ')}`).join('') + '.');
  return sentences;
}

