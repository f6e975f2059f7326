// `make up-<runtime>` / `make down-<runtime>`: starts a runtime in the background (pid file and log under
// RUN_DIR, .run/ by default), waits until it answers, and stops it gracefully. A process is signalled only when
// it is the one `up` started: the pid file records its start time and command line, checked before anything
// is sent (a pid the system reused for another program is never signalled). Usage:
// node dist/cli/runtime.js up|down|status NAME
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../core/index.js';
import { isRuntimeName, launchRuntime, RUNTIME_NAMES, runtimeScript, type RuntimeName } from '../runtimes/launcher.js';
import { runCli } from './cli.js';

/** Where pid files and logs are kept (RUN_DIR); read when used, so a bad configuration is reported by runCli. */
const runDir = (): string => loadConfig().runDir;

/** What the pid file holds: enough to tell the process `up` started from a later one with the same pid. */
interface PidRecord {
  readonly pid: number;
  /** The kernel's start time of the process (/proc/<pid>/stat field 22, or `ps -o lstart`). */
  readonly started: string;
  readonly command: string;
  readonly host: string;
  readonly port: number;
}

const pidFile = (name: RuntimeName) => `${runDir()}/${name}.pid`;

function runtimeSettings(name: RuntimeName): { host: string; port: number } {
  const { host, forkPort, expressPort, uwsPort } = loadConfig().runtimes;
  return { host, port: { fork: forkPort, express: expressPort, uws: uwsPort }[name] };
}

/** The start time and command line of a live process, or undefined when there is none. */
function processIdentity(pid: number): { started: string; command: string } | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    if (existsSync('/proc/self/stat')) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), itself in parentheses: starttime is field 22.
      const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      return { started, command };
    }
    const ps = (field: string) => execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { started: ps('lstart'), command: ps('command') };
  } catch {
    return undefined;
  }
}

function readRecord(name: RuntimeName): PidRecord | 'unreadable' | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  try {
    const record = JSON.parse(readFileSync(pidFile(name), 'utf8')) as PidRecord;
    return typeof record?.pid === 'number' && typeof record.started === 'string' ? record : 'unreadable';
  } catch {
    return 'unreadable'; // e.g. a bare pid written by an earlier version: its process cannot be told apart
  }
}

/** The recorded process when it is still the one `up` started; otherwise why not. */
function check(name: RuntimeName): { record: PidRecord } | { stale: string } | undefined {
  const record = readRecord(name);
  if (record === undefined) return undefined;
  if (record === 'unreadable') return { stale: 'it does not say which process `up` started' };
  const now = processIdentity(record.pid);
  if (!now) return { stale: `pid ${record.pid} is not running` };
  if (now.started !== record.started || now.command !== record.command) {
    return { stale: `pid ${record.pid} now belongs to another process (${now.command.slice(0, 80) || 'unknown'}), not the ${name} runtime` };
  }
  return { record };
}

/** Removes a pid file that does not point at the runtime, saying so; returns the process when it does. */
function current(name: RuntimeName): PidRecord | undefined {
  const found = check(name);
  if (found && 'stale' in found) {
    rmSync(pidFile(name), { force: true });
    console.log(`${name}: removed a stale pid file (${found.stale}); nothing was signalled`);
    return undefined;
  }
  return found?.record;
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function alive(record: PidRecord): boolean {
  const now = processIdentity(record.pid);
  return now !== undefined && now.started === record.started;
}

async function up(name: RuntimeName): Promise<number> {
  const { host, port } = runtimeSettings(name);
  const running = current(name);
  if (running) {
    if (await answers(running.host, running.port)) {
      console.log(`${name}: already running (pid ${running.pid}) at http://${running.host}:${running.port}`);
      return 0;
    }
    console.error(`${name}: pid ${running.pid} is the ${name} runtime, but http://${running.host}:${running.port} does not answer; see ${runDir()}/${name}.log, or stop it with make down-${name}`);
    return 1;
  }
  mkdirSync(runDir(), { recursive: true });
  const logFile = `${runDir()}/${name}.log`;
  let runtime;
  try {
    runtime = await launchRuntime({ name, port, host, logFile, detached: true });
  } catch (err) {
    throw new ConfigError((err as Error).message); // one line (the launcher quotes the runtime's own), no stack
  }
  const pid = runtime.process.pid!;
  const identity = processIdentity(pid);
  const record: PidRecord = { pid, started: identity?.started ?? '', command: identity?.command ?? `${process.execPath} ${runtimeScript(name)}`, host, port };
  writeFileSync(pidFile(name), `${JSON.stringify(record)}\n`);
  console.log(`${name}: up at ${runtime.url} (pid ${pid}, log ${logFile})`);
  return 0;
}

async function down(name: RuntimeName): Promise<void> {
  const running = current(name);
  if (!running) {
    if (!existsSync(pidFile(name))) console.log(`${name}: not running`);
    return;
  }
  const waitMs = loadConfig().runtimes.shutdownDeadlineMs + 10_000;
  process.kill(running.pid, 'SIGTERM');
  for (const deadline = Date.now() + waitMs; alive(running) && Date.now() < deadline;) await sleep(100);
  rmSync(pidFile(name), { force: true });
  if (alive(running)) {
    process.kill(running.pid, 'SIGKILL');
    console.log(`${name}: did not stop within ${waitMs} ms after SIGTERM; killed`);
  } else {
    console.log(`${name}: stopped`);
  }
}

runCli(async () => {
  const [action, name] = process.argv.slice(2);
  if (!name || !isRuntimeName(name) || !['up', 'down', 'status'].includes(action ?? '')) {
    throw new ConfigError(`usage: runtime.js up|down|status ${RUNTIME_NAMES.join('|')}`);
  }
  if (action === 'up') return up(name);
  if (action === 'down') return down(name);
  const running = current(name);
  console.log(`${name}: ${running ? `running (pid ${running.pid}) at http://${running.host}:${running.port}` : 'not running'}`);
  return 0;
});
