// Structured logs with pino: one JSON line per message (level, time, pid, msg, fields); an `err` field is
// written by pino's error serializer (type, message, stack, code, cause). Each process or worker thread logs
// through its own logger, bound once by its entry point with `runtime` and `worker`.
import { isMainThread } from 'node:worker_threads';
import pino, { type DestinationStream } from 'pino';
import { readLogLevel, type LogLevel } from './config.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A Logger backed by pino; its children carry bindings (e.g. runtime and worker) on every line. */
export class PinoLogger implements Logger {
  constructor(private readonly pino: pino.Logger) {}

  info(message: string, fields?: LogFields): void {
    this.pino.info(fields ?? {}, message);
  }

  warn(message: string, fields?: LogFields): void {
    this.pino.warn(fields ?? {}, message);
  }

  error(message: string, fields?: LogFields): void {
    this.pino.error(fields ?? {}, message);
  }

  child(bindings: LogFields): PinoLogger {
    return new PinoLogger(this.pino.child(bindings));
  }
}

/**
 * Stderr, written asynchronously (a slow terminal or pipe never blocks a request) and flushed synchronously
 * when the process or thread exits: pino does it on the main thread only, so a worker thread does it here.
 */
function stderrDestination(): DestinationStream {
  const destination = pino.destination({ dest: 2, sync: false });
  if (!isMainThread) process.once('exit', () => destination.flushSync());
  return destination;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where the lines go; asynchronous stderr by default. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): PinoLogger {
  return new PinoLogger(pino({
    level: options.level ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, options.destination ?? stderrDestination()));
}

let root: PinoLogger | undefined;
let bound: Logger | undefined;

function processLogger(): Logger {
  root ??= createLogger({ level: readLogLevel() });
  return bound ?? root;
}

/**
 * Binds this process's (or worker thread's) logger: every later line of `consoleLogger`, and of the
 * applications that use it, carries these fields. Called once by each entry point, e.g. `{ runtime: 'fork',
 * worker: 'child-2' }`.
 */
export function bindProcessLogger(bindings: { runtime: string; worker: string }): Logger {
  root ??= createLogger({ level: readLogLevel() });
  bound = root.child(bindings);
  return bound;
}

/** This process's (or worker thread's) logger, on stderr at LOG_LEVEL, with the bindings of bindProcessLogger. */
export const consoleLogger: Logger = {
  info: (message, fields) => processLogger().info(message, fields),
  warn: (message, fields) => processLogger().warn(message, fields),
  error: (message, fields) => processLogger().error(message, fields),
};

export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};
