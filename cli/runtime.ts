// `make up-<runtime>` / `make down-<runtime>`: starts a runtime in the background (pid and log under
// .run/), waits until it answers, and stops it gracefully. Usage: node dist/cli/runtime.js up|down|status NAME
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../core/index.js';
import { isRuntimeName, launchRuntime, RUNTIME_NAMES, type RuntimeName } from '../runtimes/launcher.js';
import { runCli } from './cli.js';

const RUN_DIR = '.run';

function ports(): Record<RuntimeName, number> {
  const { forkPort, expressPort, uwsPort } = loadConfig().runtimes;
  return { fork: forkPort, express: expressPort, uws: uwsPort };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(name: RuntimeName): number | undefined {
  const file = `${RUN_DIR}/${name}.pid`;
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8'));
  return alive(pid) ? pid : undefined;
}

async function up(name: RuntimeName): Promise<void> {
  const { host } = loadConfig().runtimes;
  const port = ports()[name];
  const running = readPid(name);
  if (running) {
    console.log(`${name}: already running (pid ${running}) at http://${host}:${port}`);
    return;
  }
  mkdirSync(RUN_DIR, { recursive: true });
  const logFile = `${RUN_DIR}/${name}.log`;
  const runtime = await launchRuntime({ name, port, host, logFile, detached: true });
  writeFileSync(`${RUN_DIR}/${name}.pid`, String(runtime.process.pid));
  console.log(`${name}: up at ${runtime.url} (pid ${runtime.process.pid}, log ${logFile})`);
}

async function down(name: RuntimeName): Promise<void> {
  const pid = readPid(name);
  rmSync(`${RUN_DIR}/${name}.pid`, { force: true });
  if (!pid) {
    console.log(`${name}: not running`);
    return;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && alive(pid); i++) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    console.log(`${name}: did not stop within 20 s after SIGTERM; killed`);
  } else {
    console.log(`${name}: stopped`);
  }
}

runCli(async () => {
  const [action, name] = process.argv.slice(2);
  if (!name || !isRuntimeName(name) || !['up', 'down', 'status'].includes(action ?? '')) {
    throw new ConfigError(`usage: runtime.js up|down|status ${RUNTIME_NAMES.join('|')}`);
  }
  if (action === 'up') await up(name);
  else if (action === 'down') await down(name);
  else console.log(`${name}: ${readPid(name) ? `running (pid ${readPid(name)})` : 'not running'}`);
});
