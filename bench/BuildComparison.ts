// Two builds of the project serving the same request, measured in turns in one run: does a change make a
// runtime faster or slower? (Absolute figures drift on a shared machine; a ratio taken in turns does not.)
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findFreePort, launchRuntime, type RuntimeName } from '../runtimes/launcher.js';
import type { Driver } from './drivers/index.js';
import { ProcessSampler } from './ProcessSampler.js';
import type { LoadRequest } from './writes.js';

export interface Build {
  readonly label: string;
  /** Repository root of the build (its compiled output in dist/). */
  readonly root: string;
  /** The build's own settings on top of the comparison's (its own database, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** A server script of the build to run instead of the runtime's (the write floor, say); it listens on FLOOR_PORT. */
  readonly script?: string;
}

export interface ComparisonRun {
  readonly rps: number;
  /** Server CPU (its whole process tree) per request, in µs: steadier than req/s on a shared machine. */
  readonly cpuUsPerRequest: number;
}

export interface ComparisonRound {
  readonly round: number;
  readonly runs: Readonly<Record<string, ComparisonRun>>;
}

/**
 * A checkout of `revision` under `folder`, compiled, sharing this checkout's node_modules (the comparison is
 * of the project's code, not of its dependencies).
 */
export function checkoutBuild(repository: string, revision: string, folder: string): Build {
  const sha = execFileSync('git', ['-C', repository, 'rev-parse', '--short', revision], { encoding: 'utf8' }).trim();
  const root = resolve(folder, sha);
  if (!existsSync(root)) {
    execFileSync('git', ['-C', repository, 'worktree', 'add', '--detach', root, sha], { stdio: 'ignore' });
    symlinkSync(resolve(repository, 'node_modules'), join(root, 'node_modules'));
  }
  if (!existsSync(join(root, 'dist'))) execFileSync('npx', ['tsc', '-p', '.'], { cwd: root, stdio: 'inherit' });
  return { label: `${revision} (${sha})`, root };
}

/** `rounds` turns of each build in order, each a fresh runtime process loaded for `durationSec`. */
export async function compareBuilds(options: {
  readonly builds: readonly Build[];
  readonly runtime: RuntimeName;
  readonly paths: readonly string[];
  /** Requests of any method instead of GETs of `paths` (bench/writes.ts): a command compared. */
  readonly requests?: readonly LoadRequest[];
  readonly driver: Driver;
  readonly connections: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly rounds: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly onRun?: (round: number, build: Build, run: ComparisonRun) => void;
}): Promise<ComparisonRound[]> {
  const results: ComparisonRound[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const runs: Record<string, ComparisonRun> = {};
    for (const build of options.builds) {
      const port = await findFreePort();
      const server = await launchRuntime({
        name: options.runtime, port, env: { ...options.env, ...build.env, FLOOR_PORT: String(port) }, logFile: '/dev/null',
        script: join(build.root, build.script ?? join('dist', 'runtimes', options.runtime, 'server.js')),
      });
      try {
        if (options.warmupSec > 0) await options.driver.run({ baseUrl: server.url, paths: options.paths, ...(options.requests && { requests: options.requests }), connections: options.connections, durationSec: options.warmupSec });
        const sampler = new ProcessSampler(server.process.pid!);
        sampler.start();
        const load = await options.driver.run({ baseUrl: server.url, paths: options.paths, ...(options.requests && { requests: options.requests }), connections: options.connections, durationSec: options.durationSec });
        const cpu = sampler.stop();
        if (load.errors + load.non2xx + load.timeouts > 0) throw new Error(`${build.label}: ${load.errors} errors, ${load.non2xx} non-2xx, ${load.timeouts} timeouts`);
        const run = { rps: load.rps, cpuUsPerRequest: load.rps > 0 ? (cpu.cpuPct / 100 / load.rps) * 1e6 : 0 };
        runs[build.label] = run;
        options.onRun?.(round, build, run);
      } finally {
        await server.stop();
      }
    }
    results.push({ round, runs });
  }
  return results;
}
