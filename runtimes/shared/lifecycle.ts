import { consoleLogger } from '../../core/logger.js';

/** A started runtime, as its `start…Runtime` function returns it. */
export interface RunningRuntime {
  readonly port: number;
  /** Graceful: stops accepting, lets in-flight requests finish, closes the pools. */
  close(): Promise<void>;
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits: 0 when it finished, 1 when it failed or took longer
 * than `graceMs` (in-flight requests had that long to finish).
 */
export function stopOnSignals(name: string, stop: () => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info(`${name}: ${signal} received, finishing in-flight requests`);
    const timer = setTimeout(() => {
      consoleLogger.error(`${name}: still busy after ${graceMs} ms, exiting`);
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        consoleLogger.error(`${name}: error while stopping`, { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

/** True when this module is the process's entry point (node dist/runtimes/x/server.js). */
export function isMain(importMetaUrl: string): boolean {
  return importMetaUrl === `file://${process.argv[1]}`;
}

/**
 * Tells a launcher (runtimes/launcher.ts, over the IPC channel it opened) that the runtime is fully up.
 * Answering HTTP is not enough: the first uws worker answers while the others are still starting.
 */
export function announceReady(port: number): void {
  process.send?.({ type: 'ready', port });
}
