// `make bench-recovery`: the read model's recovery time (bench/recovery/) on the data set loaded now, merged into a
// results file and its report.
//   node dist/cli/bench-recovery.js [--runtimes uws] [--readers 8] [--gets 200] [--timeout 900] [--into bench/results/full.json] [--report RESULTS.md]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureRecovery, RECOVERY_DEFAULTS, withRecovery, wrongAnswers, type BenchResults, type RecoveryResult } from '../bench/index.js';
import { readmeOf, writeReport } from '../bench/report/index.js';
import { ConfigError } from '../core/index.js';
import { isRuntimeName, RUNTIME_NAMES, type RuntimeName } from '../runtimes/launcher.js';
import { runCli } from './cli.js';

export interface RecoveryCliOptions {
  readonly runtimes: readonly RuntimeName[];
  readonly readers: number;
  readonly gets: number;
  readonly timeoutSec: number;
  readonly into: string;
  readonly report: string;
}

function whole(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`--${name}: not a whole number above 0: ${text}`);
  return value;
}

export function recoveryOptions(argv: readonly string[]): RecoveryCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runtimes: { type: 'string', default: RECOVERY_DEFAULTS.runtime },
      readers: { type: 'string' },
      gets: { type: 'string' },
      timeout: { type: 'string' },
      into: { type: 'string', default: 'bench/results/full.json' },
      report: { type: 'string', default: 'RESULTS.md' },
    },
  });
  const runtimes = values.runtimes!.split(',').map((r) => r.trim());
  for (const r of runtimes) if (!isRuntimeName(r)) throw new ConfigError(`--runtimes: unknown runtime ${r}; use ${RUNTIME_NAMES.join(', ')}`);
  return {
    runtimes: runtimes as RuntimeName[],
    readers: whole(values.readers, 'readers', RECOVERY_DEFAULTS.readers),
    gets: whole(values.gets, 'gets', RECOVERY_DEFAULTS.getsPerEntity),
    timeoutSec: whole(values.timeout, 'timeout', RECOVERY_DEFAULTS.timeoutSec),
    into: values.into!,
    report: values.report!,
  };
}

/** Measures each runtime's recovery, merges it into `into` and renders its report; resolves with the exit code. */
export async function runRecovery(options: RecoveryCliOptions): Promise<number> {
  if (!existsSync(options.into)) throw new ConfigError(`${options.into}: no results file to merge the recovery into; run make bench first, or give --into`);
  const logDir = join(dirname(options.into), 'logs');
  mkdirSync(logDir, { recursive: true });
  const measured: RecoveryResult[] = [];
  for (const runtime of options.runtimes) {
    measured.push(await measureRecovery({
      runtime, readers: options.readers, getsPerEntity: options.gets, timeoutSec: options.timeoutSec, steadySec: RECOVERY_DEFAULTS.steadySec, logDir,
      onProgress: (line) => console.log(line),
    }));
  }
  const results = JSON.parse(readFileSync(options.into, 'utf8')) as BenchResults;
  writeFileSync(options.into, `${JSON.stringify(withRecovery(results, measured), null, 2)}\n`);
  await writeReport(options.into, options.report, undefined, readmeOf(options.report));
  console.log(`bench-recovery: merged into ${options.into}; report in ${options.report}`);
  const failed = measured.filter((r) => r.timeToHealthyMs === null || wrongAnswers(r) > 0);
  for (const r of failed) console.error(`bench-recovery: ${r.runtime}: ${r.timeToHealthyMs === null ? 'not healthy within the timeout' : ''} ${wrongAnswers(r)} wrong answers ${r.wrongExamples.join('; ')}`);
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) runCli(() => runRecovery(recoveryOptions(process.argv.slice(2))));
