import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

// Starts a runtime as its own process and waits until it answers: used by `make up-*`, the end-to-end
// tests and the benchmark. It knows the runtimes only as scripts, ports and HTTP.

export const RUNTIME_NAMES = ['fork', 'express', 'uws'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** The environment variable that sets each runtime's port. */
export const PORT_VARIABLES: Readonly<Record<RuntimeName, string>> = { fork: 'FORK_PORT', express: 'EXPRESS_PORT', uws: 'UWS_PORT' };

export function runtimeScript(name: RuntimeName): string {
  return fileURLToPath(new URL(`./${name}/server.js`, import.meta.url));
}

export function isRuntimeName(name: string): name is RuntimeName {
  return (RUNTIME_NAMES as readonly string[]).includes(name);
}

export interface LaunchOptions {
  readonly name: RuntimeName;
  readonly port: number;
  readonly host?: string;
  /** Variables added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** File for the runtime's output; inherits this process's output when absent. */
  readonly logFile?: string;
  /** Keep running after this process exits (make up-*). */
  readonly detached?: boolean;
  readonly readyTimeoutMs?: number;
}

export interface LaunchedRuntime {
  readonly name: RuntimeName;
  readonly url: string;
  readonly process: ChildProcess;
  /** SIGTERM, then wait for the exit (graceful: in-flight requests finish). Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Resolves once GET /healthz answers (any status: the server is up, whatever its services say). */
export async function waitUntilAnswering(url: string, timeoutMs: number, exited?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = exited?.();
    if (why) throw new Error(why);
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nothing answered at ${url} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

export async function launchRuntime(options: LaunchOptions): Promise<LaunchedRuntime> {
  const host = options.host ?? '127.0.0.1';
  const output = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
  const child = spawn(process.execPath, [runtimeScript(options.name)], {
    env: { ...process.env, ...options.env, HOST: host, [PORT_VARIABLES[options.name]]: String(options.port) },
    stdio: ['ignore', output, output],
    detached: options.detached ?? false,
  });
  let exit: string | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = `${options.name} runtime exited (${signal ?? `code ${code}`}) before answering${options.logFile ? `; see ${options.logFile}` : ''}`;
      resolve(code);
    });
  });
  const url = `http://${host}:${options.port}`;
  try {
    await waitUntilAnswering(url, options.readyTimeoutMs ?? 30_000, () => exit);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  if (options.detached) child.unref();
  return {
    name: options.name,
    url,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
