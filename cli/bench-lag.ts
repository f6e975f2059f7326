// `make bench-lag` (and a step of `make bench`): visibility lag of commands, from the acknowledgement on one runtime
// to the projection seen on another, with inline projection and with the asynchronous read model, at shares of each
// writer's maximum (bench/VisibilityLag.ts). Merged into a results file (`--into`, bench/results/full.json by
// default when it exists; else bench/results/lag.json), rendered by `make report`.
//   node dist/cli/bench-lag.js [--runtimes fork,express,uws] [--modes inline,async] [--loads 25,50,90]
//                              [--window SEC] [--probe SEC] [--into FILE]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatMs, formatRps } from '../bench/index.js';
import { readmeOf, writeReport } from '../bench/report/index.js';
import {
  CreatedProducts, DEFAULT_LAG_TIMING, deleteCreated, measureLag, writeMaximum,
  type BenchResults, type LagPoint, type LagTiming, type ProjectionMode, type VisibilityLagResults,
} from '../bench/index.js';
import { ConfigError } from '../core/index.js';
import { findFreePort, isRuntimeName, launchRuntime, RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../runtimes/launcher.js';
import { runCli } from './cli.js';
import { createProgress } from './progress.js';

const MODES: readonly ProjectionMode[] = ['inline', 'async'];

export interface LagOptions {
  readonly runtimes: readonly RuntimeName[];
  readonly modes: readonly ProjectionMode[];
  readonly loads: readonly number[];
  readonly timing: LagTiming;
  readonly into: string;
}

function list(value: string, what: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new ConfigError(`--${what}: give at least one`);
  return items;
}

export function lagOptions(argv: readonly string[]): LagOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runtimes: { type: 'string', default: RUNTIME_NAMES.join(',') },
      modes: { type: 'string', default: MODES.join(',') },
      loads: { type: 'string', default: '25,50,90' },
      window: { type: 'string' },
      probe: { type: 'string' },
      into: { type: 'string' },
    },
  });
  const runtimes = list(values.runtimes!, 'runtimes');
  for (const r of runtimes) if (!isRuntimeName(r)) throw new ConfigError(`--runtimes: unknown runtime ${r}; use ${RUNTIME_NAMES.join(', ')}`);
  const modes = list(values.modes!, 'modes');
  for (const m of modes) if (!MODES.includes(m as ProjectionMode)) throw new ConfigError(`--modes: unknown mode ${m}; use ${MODES.join(', ')}`);
  const loads = list(values.loads!, 'loads').map(Number);
  for (const l of loads) if (!Number.isInteger(l) || l < 1 || l > 100) throw new ConfigError(`--loads: each a whole percentage of the write maximum, 1 to 100 (got ${values.loads})`);
  const seconds = (value: string | undefined, name: string, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 600) throw new ConfigError(`--${name}: whole seconds, 1 to 600 (got ${value})`);
    return n;
  };
  const timing = { ...DEFAULT_LAG_TIMING, windowSec: seconds(values.window, 'window', DEFAULT_LAG_TIMING.windowSec), probeSec: seconds(values.probe, 'probe', DEFAULT_LAG_TIMING.probeSec) };
  const into = values.into ?? (existsSync('bench/results/full.json') ? 'bench/results/full.json' : 'bench/results/lag.json');
  return { runtimes: runtimes as RuntimeName[], modes: modes as ProjectionMode[], loads, timing, into };
}

/** The reader of a writer: the next runtime kind, so every lag crosses processes and server models. */
export function readerOf(writer: RuntimeName): RuntimeName {
  return RUNTIME_NAMES[(RUNTIME_NAMES.indexOf(writer) + 1) % RUNTIME_NAMES.length]!;
}

export async function measureVisibilityLag(options: LagOptions, onProgress: (done: number, total: number) => void = () => undefined): Promise<VisibilityLagResults> {
  const logDir = join(dirname(options.into), 'logs');
  mkdirSync(logDir, { recursive: true });
  const launch = async (name: RuntimeName, env: Record<string, string>, log: string) =>
    launchRuntime({ name, port: await findFreePort(), env, logFile: join(logDir, `${log}.log`) });
  const startedAt = new Date().toISOString();
  const writeMax: Array<VisibilityLagResults['writeMax'][number]> = [];
  const points: LagPoint[] = [];
  const total = options.runtimes.length * options.modes.length * (options.loads.length + 1);
  let done = 0;
  const tag = `${Date.now().toString(36)}`;
  for (const writerName of options.runtimes) {
    const readerName = readerOf(writerName);
    const reader = await launch(readerName, {}, `lag-reader-${readerName}`);
    try {
      for (const mode of options.modes) {
        let writer: LaunchedRuntime | undefined;
        const created = new CreatedProducts();
        try {
          writer = await launch(writerName, { INLINE_PROJECTION: mode === 'inline' ? '1' : '0' }, `lag-writer-${writerName}-${mode}`);
          const target = { writerUrl: writer.url, readerUrl: reader.url };
          const max = await writeMaximum(target, options.timing, `${tag} ${writerName} ${mode}`, created);
          if (max <= 0) throw new Error(`${writerName} (${mode}) acknowledged no command in ${options.timing.probeSec} s: see ${logDir}/lag-writer-${writerName}-${mode}.log`);
          writeMax.push({ mode, writer: writerName, rate: max });
          onProgress(++done, total);
          for (const loadPct of options.loads) {
            const measured = await measureLag(target, options.timing, (max * loadPct) / 100, `${tag} ${writerName} ${mode} ${loadPct}`, created);
            points.push({ mode, writer: writerName, reader: readerName, loadPct, ...measured });
            onProgress(++done, total);
          }
        } finally {
          if (writer) {
            await deleteCreated(writer.url, created);
            await writer.stop();
          }
        }
      }
    } finally {
      await reader.stop();
    }
  }
  return { startedAt, finishedAt: new Date().toISOString(), timing: options.timing, writeMax, points };
}

function table(results: VisibilityLagResults): string {
  const rows = results.points.map((p) => [p.mode, `${p.writer}→${p.reader}`, `${p.loadPct}%`, `${formatRps(p.achievedRate)}/s`, String(p.errors),
    `${p.visibleAtFirstRead}/${p.traced}`, String(p.unseen), formatMs(p.lagMs.p50), formatMs(p.lagMs.p99), formatMs(p.lagMs.max)]);
  const head = ['mode', 'writer→reader', 'load', 'done', 'errors', 'first read', 'unseen', 'p50 ms', 'p99 ms', 'max ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    const options = lagOptions(process.argv.slice(2));
    const progress = createProgress();
    let results: VisibilityLagResults;
    try {
      results = await measureVisibilityLag(options, (done, total) => progress.update('lag', done, total));
    } finally {
      progress.stop();
    }
    console.log(table(results));
    if (existsSync(options.into) && options.into.endsWith('full.json')) {
      const full = JSON.parse(readFileSync(options.into, 'utf8')) as BenchResults;
      writeFileSync(options.into, `${JSON.stringify({ ...full, visibilityLag: results }, null, 2)}\n`);
      await writeReport(options.into, 'RESULTS.md', undefined, readmeOf('RESULTS.md'));
      console.log(`bench-lag: merged into ${options.into}; RESULTS.md rendered again`);
    } else {
      writeFileSync(options.into, `${JSON.stringify(results, null, 2)}\n`);
      console.log(`bench-lag: results in ${options.into} (no full results file to merge into: run make bench for the report)`);
    }
    return results.points.some((p) => p.unseen > 0) ? 1 : 0;
  });
}
