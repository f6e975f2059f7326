import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readLogLevel, type LogLevel } from '../../../core/config.js';
import { toAppError } from '../../../core/errors.js';
import { createLogger, type PinoLogger } from '../../../core/logger.js';

type LogLine = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A logger writing into an array: one parsed JSON object per line. */
function capturedLogger(level?: LogLevel): { logger: PinoLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = { write: (line: string) => { lines.push(JSON.parse(line)); } };
  return { logger: createLogger({ ...(level && { level }), destination }), lines };
}

function readRowsOfAMissingTable(): never {
  throw Object.assign(new Error("Table 'cqrs_bench.products' doesn't exist"), { code: 'ER_NO_SUCH_TABLE', errno: 1146 });
}

describe('logger (pino)', () => {
  it('logs an INTERNAL error with its type, message, code and stack', () => {
    const { logger, lines } = capturedLogger();
    let err: unknown;
    try {
      readRowsOfAMissingTable();
    } catch (e) {
      err = e;
    }
    expect(toAppError(err).code).to.equal('INTERNAL');
    logger.error('request failed', { err, method: 'GET', path: '/en/products/db/1' });
    expect(lines).to.have.length(1);
    const line = lines[0]!;
    expect(line).to.include({ level: 'error', msg: 'request failed', method: 'GET', path: '/en/products/db/1', pid: process.pid });
    expect(line.err).to.include({ type: 'Error', message: "Table 'cqrs_bench.products' doesn't exist", code: 'ER_NO_SUCH_TABLE', errno: 1146 });
    expect(line.err.stack).to.be.a('string').and.match(/^Error: Table/).and.contain('readRowsOfAMissingTable');
    expect(new Date(line.time).toISOString()).to.equal(line.time);
  });

  it('keeps the cause of a wrapped error, with both stacks', () => {
    const { logger, lines } = capturedLogger();
    const cause = new TypeError('Cannot read properties of undefined');
    logger.error('request failed', { err: toAppError(cause) });
    const err = lines[0]!.err;
    expect(err.stack).to.contain('AppError');
    expect(err.stack).to.contain('TypeError: Cannot read properties of undefined');
  });

  it('child loggers carry runtime and worker on every line, beside the fields of the call', () => {
    const { logger, lines } = capturedLogger();
    const worker = logger.child({ runtime: 'uws', worker: 'worker-1' });
    worker.warn('redis connection lost', { attempt: 3 });
    worker.info('caught up');
    logger.info('no bindings');
    expect(lines.map((l) => [l.level, l.msg, l.runtime, l.worker])).to.deep.equal([
      ['warn', 'redis connection lost', 'uws', 'worker-1'],
      ['info', 'caught up', 'uws', 'worker-1'],
      ['info', 'no bindings', undefined, undefined],
    ]);
    expect(lines[0]!.attempt).to.equal(3);
  });

  it('drops the lines below its level; silent drops all', () => {
    const warn = capturedLogger('warn');
    warn.logger.info('not shown');
    warn.logger.warn('shown');
    warn.logger.error('shown too');
    expect(warn.lines.map((l) => l.msg)).to.deep.equal(['shown', 'shown too']);
    const silent = capturedLogger('silent');
    silent.logger.error('not shown');
    expect(silent.lines).to.deep.equal([]);
  });

  it('LOG_LEVEL is info by default and refuses a level it does not know', () => {
    expect(readLogLevel({})).to.equal('info');
    expect(readLogLevel({ LOG_LEVEL: 'warn' })).to.equal('warn');
    expect(() => readLogLevel({ LOG_LEVEL: 'verbose' })).to.throw(ConfigError, /LOG_LEVEL="verbose" is not one of error, warn, info, silent/);
  });

  describe('the process logger (asynchronous stderr)', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'cqrs-logger-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    // A main thread and a worker thread that each bind their logger, log many lines and exit at once.
    function runScript(env: Record<string, string> = {}): { status: number | null; lines: LogLine[] } {
      const loggerUrl = new URL('../../../core/logger.js', import.meta.url).href;
      const script = join(dir, 'log-and-exit.mjs');
      writeFileSync(script, `
        import { Worker, isMainThread } from 'node:worker_threads';
        const { bindProcessLogger, consoleLogger } = await import(${JSON.stringify(loggerUrl)});
        if (isMainThread) {
          bindProcessLogger({ runtime: 'test', worker: 'main' });
          const worker = new Worker(new URL(import.meta.url));
          worker.on('exit', () => {
            for (let i = 0; i < 5000; i++) consoleLogger.info('main line', { i });
            consoleLogger.error('main failed', { err: new Error('boom') });
            process.exit(3);
          });
        } else {
          bindProcessLogger({ runtime: 'test', worker: 'worker-1' });
          for (let i = 0; i < 20000; i++) consoleLogger.info('worker line', { i });
          process.exit(0);
        }
      `);
      const run = spawnSync(process.execPath, [script], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      return { status: run.status, lines: run.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
    }

    it('writes every line, from the main thread and from a worker thread, before the process exits', () => {
      const { status, lines } = runScript();
      expect(status).to.equal(3);
      const count = (worker: string, msg: string) => lines.filter((l) => l.worker === worker && l.msg === msg).length;
      expect(count('worker-1', 'worker line')).to.equal(20000);
      expect(count('main', 'main line')).to.equal(5000);
      const failed = lines.find((l) => l.msg === 'main failed')!;
      expect(failed).to.include({ runtime: 'test', worker: 'main', level: 'error' });
      expect(failed.err.stack).to.match(/^Error: boom\n\s+at /);
    });

    it('follows LOG_LEVEL', () => {
      const { lines } = runScript({ LOG_LEVEL: 'error' });
      expect(lines.map((l) => l.msg)).to.deep.equal(['main failed']);
    });
  });
});
