import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareTestDatabase } from '../../support/fixtures.js';
import { freePort } from '../../support/net.js';

const CLI = fileURLToPath(new URL('../../../cli/runtime.js', import.meta.url));

/** Runs `node dist/cli/runtime.js <args>` with its run directory and port; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, HOST: '127.0.0.1', SHUTDOWN_DEADLINE_MS: '3000', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.once('exit', (code) => resolve({ code, output }));
  });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function answers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
}

// make up-* / down-* (cli/runtime.ts) with a pid file that no longer points at the runtime: a pid the system
// gave to another program is never signalled, and does not pass for a running runtime.
describe('cli/runtime.ts (make up / down)', function () {
  this.timeout(90_000);
  let sleeper: ChildProcess;
  let env: Record<string, string>;
  let port: number;
  let pidFile: string;

  before(async () => {
    await prepareTestDatabase();
    const runDir = mkdtempSync(join(tmpdir(), 'run-'));
    port = await freePort();
    env = { RUN_DIR: runDir, EXPRESS_PORT: String(port) };
    pidFile = join(runDir, 'express.pid');
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  after(async () => {
    sleeper.kill('SIGKILL');
    await cli(['down', 'express'], env);
  });

  it('down with a pid file naming an unrelated live process (a bare pid, as older versions wrote): the process is not signalled, the file is removed', async () => {
    writeFileSync(pidFile, String(sleeper.pid));
    const { code, output } = await cli(['down', 'express'], env);
    expect(code, output).to.equal(0);
    expect(output).to.include('express: removed a stale pid file');
    expect(output).to.include('nothing was signalled');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sleeper.exitCode, 'sleep still running').to.equal(null);
    expect(isAlive(sleeper.pid!)).to.equal(true);
    expect(existsSync(pidFile)).to.equal(false);
  });

  it('up with a pid file whose pid now belongs to another process: says so, starts the runtime; up again: already running; down stops it and only it', async () => {
    writeFileSync(pidFile, JSON.stringify({ pid: sleeper.pid, started: '1', command: `${process.execPath} /somewhere/runtimes/express/server.js`, host: '127.0.0.1', port }));
    const started = await cli(['up', 'express'], env);
    expect(started.code, started.output).to.equal(0);
    expect(started.output).to.match(new RegExp(`express: removed a stale pid file \\(pid ${sleeper.pid} now belongs to another process \\(sleep 60\\)`));
    expect(started.output).to.include(`express: up at http://127.0.0.1:${port}`);
    const record = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number };
    expect(record.pid).not.to.equal(sleeper.pid);
    expect(await answers(port)).to.equal(true);

    const again = await cli(['up', 'express'], env);
    expect(again.output).to.include(`express: already running (pid ${record.pid})`);
    expect((await cli(['status', 'express'], env)).output).to.include(`express: running (pid ${record.pid})`);

    const stopped = await cli(['down', 'express'], env);
    expect(stopped.code, stopped.output).to.equal(0);
    expect(stopped.output).to.include('express: stopped');
    expect(isAlive(record.pid), 'the runtime is gone').to.equal(false);
    expect(isAlive(sleeper.pid!), 'sleep untouched').to.equal(true);
    expect(await answers(port)).to.equal(false);
  });

  it('up on a port another process listens on: exit 1, one line naming the port and the variable, no stack', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const { code, output } = await cli(['up', 'express'], env);
      expect(code, output).to.equal(1);
      const lines = output.trim().split('\n');
      expect(lines, output).to.have.length(1);
      expect(lines[0]).to.include(`express: port ${port} on 127.0.0.1 is already in use (another process listens there); set EXPRESS_PORT to a free port`);
      expect(output).not.to.match(/\n\s+at /);
      expect(existsSync(pidFile), 'no pid file for a runtime that did not start').to.equal(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
