// The details' first sections: failed cells and preflight problems, loudly; the machine and the method; the preflight.
import { DRIVER_BOUND, driverBoundReason, driverCeiling } from '../../driverBound.js';
import { cellText, dateText, durationText, formatNumber, formatRps } from '../../format.js';
import type { BenchResults } from '../../results.js';
import { ENTITIES } from '../analysis/common.js';
import type { CellFailures } from '../analysis/reads.js';

export function warnings(results: BenchResults, failures: readonly CellFailures[]): string[] {
  const lines: string[] = [];
  if (failures.length > 0) {
    const plural = failures.length === 1 ? 'cell had' : 'cells had';
    lines.push(
      '> [!CAUTION]',
      `> **${failures.length} ${plural} failed requests (errors, non-2xx answers or timeouts).** Their req/s and latencies include failures and are not clean measurements:`,
      '>',
      '> | cell | errors | non-2xx | timeouts |',
      '> |---|---:|---:|---:|',
      ...failures.map((f) => `> | ${cellText(f.cell.id)} | ${formatNumber(f.errors)} | ${formatNumber(f.non2xx)} | ${formatNumber(f.timeouts)} |`),
    );
  }
  if (results.preflight.problems.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('> [!CAUTION]', `> **The preflight found ${results.preflight.problems.length} problem(s)**; see "Preflight" below.`);
  }
  return lines;
}

function driverCeilingText(results: BenchResults): string {
  const ceiling = driverCeiling(results);
  const rule = `a cell is flagged **driver-bound** when its rate is within ${Math.round((1 - DRIVER_BOUND.ceilingShare) * 100)}% of it ` +
    `or the load generator used ≥ ${DRIVER_BOUND.driverCpuPct}% of a core; such a cell measured the load generator, and a target checked on it is inconclusive`;
  if (!ceiling) return `not measured in this run (no bare uWS constant): only the load generator's CPU flags a cell; ${rule}`;
  const bound = results.cells.filter((c) => driverBoundReason(c, ceiling) !== null).length;
  return `${formatRps(ceiling.rps)} req/s against the bare uWS constant server (which does no work), the load generator at ${formatNumber(ceiling.driverCpuPct)}% of a core; ` +
    `${rule}. Driver-bound cells in this run: ${bound === 0 ? 'none' : formatNumber(bound)}`;
}

export function method(results: BenchResults): string[] {
  const { machine, settings, driver, data } = results;
  const lines = ['## Machine and method', ''];
  if (results.mode === 'quick') {
    lines.push(
      '> [!WARNING]',
      '> **Quick mode:** short runs and fewer repeats, meant to check that the bench works. These numbers are indicative only; quote a full run.',
      '',
    );
  }
  const packages = Object.keys(machine.packages)
    .sort()
    .map((name) => `${name} ${machine.packages[name] ?? '?'}`)
    .join(', ');
  lines.push(
    `- **Date**: ${dateText(results.startedAt)} (run took ${durationText(results.startedAt, results.finishedAt)})`,
    `- **Mode**: ${results.mode}${results.mode === 'quick' ? ' (indicative only, see the warning above)' : ''}`,
    `- **Machine**: ${machine.cpuModel}, ${machine.cores} cores, ${formatNumber(machine.memoryGiB, 1)} GiB; ${machine.os}, kernel ${machine.kernel}`,
    `- **Versions**: Node ${machine.node}, MySQL ${machine.mysql}, Redis ${machine.redis}${packages ? `; packages: ${packages}` : ''}`,
    `- **Load generator**: ${driver.name} ${driver.version}, ${settings.connections} connections, on the same machine: it shares the ${machine.cores} cores with the server, ` +
      'so its CPU (in % of one core) is reported beside every result',
    `- **Load generator's ceiling**: ${driverCeilingText(results)}`,
    `- **Timing**: ${settings.durationSec} s per repeat after ${settings.warmupSec} s of warm-up, ${settings.repeats} repeat${settings.repeats === 1 ? '' : 's'} per cell; ` +
      'req/s is the median of the repeats, with min–max beside it' +
      (results.cells.some((c) => c.runs.some((r) => r.startedAt)) ? '; cells compared with each other (a runtime and its floors, the settings of a knob, the cells of one server start) take turns repeat by repeat' : ''),
    `- **Workers**: fork ${settings.forkWorkers} children (${settings.forkPersistent ? 'persistent connections' : 'connections opened per request'}), ` +
      `express 1 process, uws ${settings.uwsWorkers} worker threads`,
    `- **Data**: ${ENTITIES.map((e) => `${formatNumber(data[e])} ${e}`).join(', ')}`,
    `- **Command**: \`${results.command}\``,
  );
  return lines;
}

export function preflight(results: BenchResults): string[] {
  const { checked, problems } = results.preflight;
  return [
    '## Preflight',
    '',
    `${checked} endpoints checked before timing (status 200, the right shape, the same body on every runtime). Problems: ${problems.length === 0 ? 'none.' : ''}`,
    ...problems.map((p) => `- ${p}`),
  ];
}
