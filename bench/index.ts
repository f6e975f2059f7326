// The bench's public entry point: what the command-line tools import to run it. The report that renders its
// results has its own, bench/report/index.ts; the tests may reach further in.
export { BenchRun, type BenchOptions } from './run.js';
export { selectDriver, type Driver } from './drivers/index.js';
export type { LoadResult, LoadSpec } from './drivers/autocannon.js';
export * from './results.js';
export { loadScenarios, type Scenarios } from './scenarios.js';
export { fetchIds, preflight, type PreflightResult } from './preflight.js';
export { runLoadTest, type LoadTestKind, type LoadTestOptions } from './loadtest.js';
export { checkoutBuild, compareBuilds, type Build, type ComparisonRound, type ComparisonRun } from './BuildComparison.js';
export {
  CreatedProducts, DEFAULT_LAG_TIMING, deleteCreated, measureLag, writeMaximum, type LagPoint, type LagTiming, type ProjectionMode,
} from './VisibilityLag.js';
export { measureRecovery, RECOVERY_DEFAULTS, withRecovery, type RecoveryOptions } from './recovery/RecoveryRun.js';
export { wrongAnswers } from './recovery/judge.js';
export { createRequests, type LoadRequest } from './writes.js';
export { formatMs, formatRps } from './format.js';
