// `make bench` / `make bench-quick`: the benchmark run (bench/run.ts) from the command line, with a progress bar.
//   node dist/cli/bench.js [--quick] [--runtimes fork,express,uws] [--only products/redis/get] [--sweep] [--reads]
//                          [--floors] [--profile] [--profiles-only] [--knobs] [--no-writes] [--scale] [--duration N] [--out DIR] [--report FILE] [--into RESULTS.json]
import { parseArgs } from 'node:util';
import { readmeOf, writeReport } from '../bench/report/index.js';
import { BenchRun, type BenchOptions } from '../bench/index.js';
import { ConfigError } from '../core/index.js';
import { isRuntimeName, RUNTIME_NAMES } from '../runtimes/launcher.js';
import { runCli } from './cli.js';
import { createProgress } from './progress.js';

export function benchOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Omit<BenchOptions, 'onProgress'> {
  const { values } = parseArgs({
    args: [...argv],
    allowNegative: true,
    options: {
      quick: { type: 'boolean', default: false },
      runtimes: { type: 'string', default: RUNTIME_NAMES.join(',') },
      sweep: { type: 'boolean' },
      reads: { type: 'boolean' },
      floors: { type: 'boolean' },
      profile: { type: 'boolean' },
      knobs: { type: 'boolean' },
      writes: { type: 'boolean' },
      'profiles-only': { type: 'boolean' },
      scale: { type: 'boolean', default: false },
      only: { type: 'string' },
      duration: { type: 'string' },
      repeats: { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
      report: { type: 'string' },
      into: { type: 'string' },
    },
  });
  const runtimes = values.runtimes!.split(',').map((r) => r.trim());
  for (const r of runtimes) if (!isRuntimeName(r)) throw new ConfigError(`--runtimes: unknown runtime ${r}; use ${RUNTIME_NAMES.join(', ')}`);
  const durationSec = values.duration === undefined ? undefined : Number(values.duration);
  if (durationSec !== undefined && (!Number.isInteger(durationSec) || durationSec <= 0)) throw new ConfigError(`--duration: not a whole number of seconds: ${values.duration}`);
  const repeats = values.repeats === undefined ? undefined : Number(values.repeats);
  if (repeats !== undefined && (!Number.isInteger(repeats) || repeats <= 0)) throw new ConfigError(`--repeats: not a whole number of repeats above 0: ${values.repeats}`);
  return {
    quick: values.quick!, runtimes: runtimes as BenchOptions['runtimes'], sweep: values.sweep, reads: values.reads, floors: values.floors, profile: values.profile, knobs: values.knobs, writes: values.writes, profilesOnly: values['profiles-only'],
    scale: values.scale!, only: values.only, durationSec, repeats, out: values.out!, report: values.report, into: values.into,
    // The Makefile names the target it runs (make bench also adds the scale cells in later steps).
    command: env.BENCH_COMMAND ?? `node dist/cli/bench.js ${argv.join(' ')}`.trim(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    const progress = createProgress();
    try {
      return await new BenchRun({
        ...benchOptions(process.argv.slice(2)),
        // RESULTS.md at the root comes with README's generated block.
        writeReport: (file, report, charts) => writeReport(file, report, charts, readmeOf(report)),
        onProgress: (done, total) => progress.update('repeats', done, total) }).run();
    } finally {
      progress.stop();
    }
  });
}
