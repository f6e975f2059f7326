// A program on this machine run as a child process until it answers over HTTP: Prometheus and the store
// exporters, for `make observe` without Docker and for the tests that check the dashboards against real data.
import { spawn, spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DaemonOptions {
  /** How messages name it, e.g. `prometheus`. */
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  /** The child's whole environment; this process's when absent. */
  readonly env?: NodeJS.ProcessEnv;
  /** It is ready once a GET of this URL answers 200. */
  readonly readyUrl: string;
  /** Its output goes here; inherited when absent. */
  readonly logFile?: string;
  /** Keep running after this process exits (make observe). */
  readonly detached?: boolean;
  readonly readyTimeoutMs?: number;
}

export interface RunningDaemon {
  readonly pid: number;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/** The first of `names` found on PATH; undefined when none is installed. */
export function findBinary(names: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of names) {
    const which = spawnSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8', env });
    if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  }
  return undefined;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const output = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
  const child = spawn(options.binary, [...options.args], {
    stdio: ['ignore', output, output], detached: options.detached ?? false, env: options.env ?? process.env,
  });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exit = signal ?? `code ${code}`;
    resolve();
  }));
  child.once('error', (err) => { exit = err.message; });
  const see = options.logFile ? `; see ${options.logFile}` : '';
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(options.readyUrl))) {
    if (exit !== undefined) throw new Error(`${options.name} exited (${exit}) before it was ready at ${options.readyUrl}${see}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not answer ${options.readyUrl} within ${timeoutMs} ms${see}`);
    }
    await sleep(200);
  }
  if (options.detached) child.unref();
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
