// A cell measured again with the runtime under V8's CPU profiler (bench/profile/preload.ts in every process and
// thread): a warm-up, then one load of the cell's duration with the profiler on, then each profile attributed
// to categories of work. Profiling slows the server, so these runs are never the timed cells.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LaunchedRuntime } from '../../runtimes/launcher.js';
import { loadOf, type Target } from '../measure.js';
import type { CellPlan } from '../plan.js';
import type { CellProfile } from '../results.js';
import type { Scenarios, Timing } from '../scenarios.js';
import { addTotals, attributeProfile, bootstrapStages, type CpuProfile } from './attribution.js';

const PRELOAD = fileURLToPath(new URL('./preload.js', import.meta.url));

/** The environment that loads the profiler into a runtime, driven through the control file in `dir`. */
export function profilerEnv(dir: string): Record<string, string> {
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim(),
    BENCH_PROFILE_CONTROL: join(dir, 'control'),
    BENCH_PROFILE_DIR: dir,
  };
}

/** Profiles written in `dir` so far. */
function profileFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort() : [];
}

/**
 * Profiles `cell` on a runtime launched (by `launch`) with profilerEnv(dir); `expected` is how many processes
 * and threads the runtime has (the wait for their profiles ends there, or after 10 s).
 */
export async function profileCell(cell: CellPlan, scenarios: Scenarios, timing: Timing, dir: string, expected: number,
  launch: (env: Record<string, string>) => Promise<LaunchedRuntime>, target: Omit<Target, 'url' | 'pid'>): Promise<CellProfile> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const control = join(dir, 'control');
  writeFileSync(control, 'idle');
  const runtime = await launch(profilerEnv(dir));
  const connections = cell.connections ?? scenarios.connections;
  let requests = 0;
  try {
    const full: Target = { ...target, url: runtime.url, pid: runtime.process.pid! };
    // A write cell's load is its command (bench/writes.ts): a create, every request a new row.
    const load = loadOf(cell, scenarios, full);
    if (timing.warmupSec > 0) await target.driver.run({ baseUrl: runtime.url, ...await load(0, timing.warmupSec), connections, durationSec: timing.warmupSec });
    writeFileSync(control, 'start');
    await sleep(150); // every thread polls the control file every 50 ms
    const profiled = await target.driver.run({ baseUrl: runtime.url, ...await load(1, timing.durationSec), connections, durationSec: timing.durationSec });
    requests = profiled.requests;
    writeFileSync(control, 'stop');
    for (const until = Date.now() + 10_000; profileFiles(dir).length < expected && Date.now() < until;) await sleep(50);
  } finally {
    await runtime.stop();
  }
  const files = profileFiles(dir);
  let categories: Record<string, number> = {};
  let stages: Record<string, number> | undefined;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    categories = addTotals(categories, attributeProfile(profile));
    if (cell.runtime === 'fork' && !cell.floor) stages = addTotals(stages ?? {}, bootstrapStages(profile));
  }
  return {
    id: cell.id, ...(cell.floor && { floor: cell.floor }), ...(cell.writeFloor && { floor: 'write' as const }), ...(cell.group === 'persistent' && { persistent: true }), runtime: cell.runtime, entity: cell.entity, source: cell.source, operation: cell.operation, workers: cell.workers,
    requests, durationSec: timing.durationSec, profiles: files.length, categories: roundAll(categories), ...(stages && { stages: roundAll(stages) }),
  };
}

function roundAll(totals: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Math.round(v)]));
}
