import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createNetServer, Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../core/errors.js';
import { errorResponse } from '../../core/http/responses.js';
import type { HttpResponse, PipelineHook } from '../../core/http/types.js';
import { consoleLogger } from '../../core/logger.js';
import { announceReady } from '../launcher.js';
import { writeResponse } from './httpProtocol.js';

// How a runtime starts and stops. On SIGTERM/SIGINT a runtime stops listening at once and refuses every
// request that arrives afterwards (503, Connection: close), also on open keep-alive connections; the requests
// already in flight are answered with Connection: close; at the deadline (SHUTDOWN_DEADLINE_MS) the connections
// still sending a request (a stalled upload, half-sent headers) are cut. The process exits 0, or 1 when a
// request handler itself is still running after the deadline.

/** What a stop left behind: request handlers still running after the deadline (0 for a clean stop). */
export interface StopReport {
  readonly stillRunning: number;
}

/** A started runtime, as its `start…Runtime` function returns it. */
export interface RunningRuntime {
  readonly port: number;
  /** Graceful: refuses new requests, lets in-flight ones finish within the shutdown deadline, closes the pools. */
  close(): Promise<StopReport>;
}

/**
 * A keep-alive connection idle when the stop begins is left open this long (at most), so that a request its
 * client has already sent is refused with a 503 rather than cut by the close: HTTP/1.1 gives no way to close
 * an idle connection without that race, so the window is made small instead.
 */
export function idleGraceMs(deadlineMs: number): number {
  return Math.min(500, Math.floor(deadlineMs / 4));
}

/** After the deadline cut their connections, handlers that were only waiting for input end this fast. */
const SETTLE_MS = 250;

/** The answer to a request that arrives once the stop has begun. */
export function shuttingDownResponse(): HttpResponse {
  return errorResponse(new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down'));
}

/** A port another process listens on: one line saying so, never a stack. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';

  constructor(runtime: string, host: string, port: number, variable: string) {
    super(`${runtime}: port ${port} on ${host} is already in use (another process listens there); set ${variable} to a free port`);
  }
}

function isAddressInUse(err: unknown): boolean {
  return (err as { code?: string } | undefined)?.code === 'EADDRINUSE';
}

/** Listens, turning EADDRINUSE into a PortInUseError. */
export function listen(server: NetServer, runtime: string, host: string, port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(isAddressInUse(err) ? new PortInUseError(runtime, host, port, variable) : err);
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/**
 * Fails when another process listens on the port. uWS listens with SO_REUSEPORT, so a second uws (or anything
 * else with SO_REUSEPORT) would silently share the port; a plain listen without it is refused instead.
 */
export async function probePort(runtime: string, host: string, port: number, variable: string): Promise<void> {
  const probe = createNetServer();
  await listen(probe, runtime, host, port, variable);
  await new Promise((resolve) => probe.close(resolve));
}

/**
 * The stop of a node:http server (fork's master, express): refuses requests once stopping, counts the request
 * handlers running (its pipeline hook), and closes the connections. The adapters answer in-flight requests with
 * Connection: close once `stopping` (their answer is written when the handler ends, after the stop began).
 */
export class HttpServerLifecycle {
  private stopped = false;
  private running = 0;

  /** Whether the stop has begun: every answer written from then on closes its connection. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Wraps the server's request listener. */
  listener(next: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (!this.stopped) {
        next(req, res);
        return;
      }
      writeResponse(res, shuttingDownResponse(), true);
    };
  }

  /** Counts the pipeline's handlers in flight (add it to the pipeline's hooks). */
  hook(): PipelineHook {
    // One finisher for every request: nothing allocated on the request path.
    const finished = () => { this.running--; };
    return {
      onRequest: () => {
        this.running++;
        return finished;
      },
    };
  }

  /**
   * Stops listening and answers what is in flight; at `deadlineMs` cuts the connections left. Resolves with the
   * handlers still running then.
   */
  async stop(server: Server, deadlineMs: number): Promise<StopReport> {
    this.stopped = true;
    const deadline = Date.now() + deadlineMs;
    // net.Server's close, not http.Server's: the latter also closes the idle keep-alive connections at once,
    // cutting a request a client has just sent on one.
    let closed = false;
    NetServer.prototype.close.call(server, () => { closed = true; });
    const sweep = setTimeout(() => {
      server.closeIdleConnections();
      sweeping = setInterval(() => server.closeIdleConnections(), 25);
    }, idleGraceMs(deadlineMs));
    let sweeping: NodeJS.Timeout | undefined;
    while (!(closed && this.running === 0) && Date.now() < deadline) await sleep(10);
    clearTimeout(sweep);
    clearInterval(sweeping);
    if (!closed || this.running > 0) {
      // Stalled uploads, half-sent headers, and the connections of handlers still running.
      server.closeAllConnections();
      for (const settle = Date.now() + SETTLE_MS; this.running > 0 && Date.now() < settle;) await sleep(10);
    }
    return { stillRunning: this.running };
  }
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits: 0 when every request was answered or refused, 1 when a
 * request handler was still running after the deadline (or the stop failed, or overran it by far).
 */
export function stopOnSignals(name: string, stop: () => Promise<StopReport | void>, deadlineMs = 10_000): void {
  const handler = (signal: NodeJS.Signals) => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
    consoleLogger.info(`${name}: ${signal} received; refusing new requests, finishing those in flight (deadline ${deadlineMs} ms)`);
    const started = Date.now();
    // Only if the stop itself hangs (a bug): its own deadline handling should never let this fire.
    const backstop = setTimeout(() => {
      consoleLogger.error(`${name}: still stopping ${deadlineMs + 5_000} ms after ${signal}; exiting`);
      process.exit(1);
    }, deadlineMs + 5_000);
    backstop.unref();
    stop().then(
      (report) => {
        const stillRunning = report?.stillRunning ?? 0;
        if (stillRunning > 0) {
          consoleLogger.error(`${name}: ${stillRunning} request handler(s) still running after the ${deadlineMs} ms shutdown deadline; exiting 1`);
          process.exit(1);
        }
        consoleLogger.info(`${name}: stopped`, { ms: Date.now() - started });
        process.exit(0);
      },
      (err: unknown) => {
        consoleLogger.error(`${name}: error while stopping`, { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/**
 * A runtime's entry point: starts it, announces readiness, stops on signals. A start that fails exits 1 with
 * one line (a taken port) or the error.
 */
export async function runMain(name: string, start: () => Promise<RunningRuntime>, deadlineMs: number): Promise<void> {
  let runtime: RunningRuntime;
  try {
    runtime = await start();
  } catch (err) {
    if (err instanceof PortInUseError) consoleLogger.error(err.message);
    else consoleLogger.error(`${name}: could not start`, { err });
    process.exit(1);
  }
  announceReady(runtime.port);
  stopOnSignals(name, () => runtime.close(), deadlineMs);
}

/** True when this module is the process's entry point (node dist/runtimes/x/server.js). */
export function isMain(importMetaUrl: string): boolean {
  return importMetaUrl === `file://${process.argv[1]}`;
}
