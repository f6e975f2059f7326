import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

// Starts a runtime as its own process and waits until it answers: used by `make up-*`, the end-to-end
// tests and the benchmark. It knows the runtimes only as scripts, ports and HTTP.

export const RUNTIME_NAMES = ['fork', 'express', 'uws'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** What can be launched: the three runtimes, and the benchmark's bare-uWS reference server. */
export type LaunchName = RuntimeName | 'uws-constant';

/** The environment variable that sets each server's port. */
export const PORT_VARIABLES: Readonly<Record<LaunchName, string>> = { fork: 'FORK_PORT', express: 'EXPRESS_PORT', uws: 'UWS_PORT', 'uws-constant': 'UWS_PORT' };

export function runtimeScript(name: LaunchName): string {
  return fileURLToPath(new URL(`./${name}/server.js`, import.meta.url));
}

export function isRuntimeName(name: string): name is RuntimeName {
  return (RUNTIME_NAMES as readonly string[]).includes(name);
}

/** A TCP port nothing listens on now (the OS picks it). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LaunchOptions {
  readonly name: LaunchName;
  readonly port: number;
  readonly host?: string;
  /** Variables added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** File for the runtime's output; inherits this process's output when absent. */
  readonly logFile?: string;
  /** Keep running after this process exits (make up-*). */
  readonly detached?: boolean;
  readonly readyTimeoutMs?: number;
  /** The server script to run instead of this build's (e.g. another build's, to compare two commits). */
  readonly script?: string;
}

export interface LaunchedRuntime {
  readonly name: LaunchName;
  readonly url: string;
  readonly process: ChildProcess;
  /** SIGTERM, then wait for the exit (graceful: in-flight requests finish). Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The last line the runtime logged (its `msg` when it is a JSON log line), to say why it stopped. */
function lastLogLine(logFile: string | undefined): string | undefined {
  if (!logFile) return undefined;
  try {
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    const last = lines.at(-1)?.trim();
    if (!last) return undefined;
    try {
      return (JSON.parse(last) as { msg?: string }).msg ?? last;
    } catch {
      return last;
    }
  } catch {
    return undefined;
  }
}

/**
 * The launched process's side of the readiness handshake: tells the launcher, over the IPC channel it opened,
 * that the server is fully up. Answering HTTP is not enough: the first uws worker answers while the others are
 * still starting.
 */
export function announceReady(port: number): void {
  process.send?.({ type: 'ready', port });
}

/** Waits for the runtime's "ready" message (every worker listening), its exit, or the timeout. */
function readiness(child: ChildProcess, name: LaunchName, timeoutMs: number, logFile?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} runtime did not report ready within ${timeoutMs} ms${logFile ? `; see ${logFile}` : ''}`)), timeoutMs);
    child.on('message', (message: { type?: string }) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const said = lastLogLine(logFile);
      reject(new Error(`${name} runtime exited (${signal ?? `code ${code}`}) before it was ready${said ? `: ${said}` : ''}${logFile ? ` (log: ${logFile})` : ''}`));
    });
  });
}

export async function launchRuntime(options: LaunchOptions): Promise<LaunchedRuntime> {
  const host = options.host ?? '127.0.0.1';
  const output = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
  const child = spawn(process.execPath, [options.script ?? runtimeScript(options.name)], {
    env: { ...process.env, ...options.env, HOST: host, [PORT_VARIABLES[options.name]]: String(options.port) },
    stdio: ['ignore', output, output, 'ipc'],
    detached: options.detached ?? false,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await readiness(child, options.name, options.readyTimeoutMs ?? 30_000, options.logFile);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  // The channel served only to hear "ready": close it so the runtime does not depend on this process.
  child.disconnect();
  if (options.detached) child.unref();
  const url = `http://${host}:${options.port}`;
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
