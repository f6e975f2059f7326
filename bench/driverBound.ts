// The load generator's own limit, a rule of measuring: the bench flags a driver-bound cell as it measures it, and
// the report makes a target checked on such a cell inconclusive. Measuring owns it; the report reads it.
import { formatNumber, formatRps } from './format.js';
import type { BenchResults, Cell } from './results.js';

/** A cell is driver-bound when its rate is this close to the driver's ceiling, or the driver used this much of a core. */
export const DRIVER_BOUND = { ceilingShare: 0.85, driverCpuPct: 90 } as const;

/** The most this run's load generator measured on this machine: the bare uWS constant server, which does no work. */
export interface DriverCeiling {
  readonly rps: number;
  readonly driverCpuPct: number;
}

/** Why a cell measured its load generator rather than its server: its CPU, or its rate near the ceiling. */
export type DriverBound =
  | { readonly kind: 'driver-cpu'; readonly driverCpuPct: number }
  | { readonly kind: 'ceiling'; readonly rps: number; readonly ceilingRps: number };

export function driverCeiling(results: Pick<BenchResults, 'baselines'>): DriverCeiling | null {
  const constant = results.baselines?.uwsConstant;
  return constant && constant.summary.rps.median > 0 ? { rps: constant.summary.rps.median, driverCpuPct: constant.summary.driverCpuPct } : null;
}

export function driverBound(cell: Pick<Cell, 'summary'>, ceiling: DriverCeiling | null): DriverBound | null {
  const { median: rps } = cell.summary.rps;
  const { driverCpuPct } = cell.summary;
  if (driverCpuPct >= DRIVER_BOUND.driverCpuPct) return { kind: 'driver-cpu', driverCpuPct };
  if (ceiling && rps >= DRIVER_BOUND.ceilingShare * ceiling.rps) return { kind: 'ceiling', rps, ceilingRps: ceiling.rps };
  return null;
}

export function describeDriverBound(bound: DriverBound): string {
  return bound.kind === 'driver-cpu'
    ? `the load generator used ${formatNumber(bound.driverCpuPct)}% of a core`
    : `${formatRps(bound.rps)} req/s is within ${Math.round((1 - DRIVER_BOUND.ceilingShare) * 100)}% of the load generator's ceiling (${formatRps(bound.ceilingRps)} req/s)`;
}

/** Why a cell measured its load generator rather than its server, in words, or null when it did not. */
export function driverBoundReason(cell: Pick<Cell, 'summary'>, ceiling: DriverCeiling | null): string | null {
  const bound = driverBound(cell, ceiling);
  return bound ? describeDriverBound(bound) : null;
}
