import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Application } from '../../core/app.js';
import { loadConfig, type Config } from '../../core/config.js';
import { AppError } from '../../core/errors.js';
import { RequestPipeline } from '../../core/http/RequestPipeline.js';
import type { HttpResponse, PipelineHook } from '../../core/http/types.js';
import { bindProcessLogger, consoleLogger } from '../../core/logger.js';
import { aggregateMetrics } from '../../core/metrics/MetricsAggregation.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { bootApplication } from '../shared/bootstrap.js';
import { idempotencyKeyHeaders, readBody, splitUrl } from '../shared/httpRequest.js';
import { guardHttpServer, refusedRequest, writeResponse as write } from '../shared/httpProtocol.js';
import { HttpServerLifecycle, isMain, listen, runMain, type RunningRuntime } from '../shared/lifecycle.js';
import { ChildPool } from './ChildPool.js';

// Mirrors PHP-FPM behind a web server: the master speaks HTTP (the web server's part), routes, and hands
// each request to an idle child over IPC (FastCGI's part); children run the application, one request each.
// The master answers /metrics (aggregated over its children) and 404/405 itself, as a web server would.

/** Routes the master answers itself; every other matched route goes to a child. */
const SERVED_BY_MASTER = new Set(['/metrics']);

export async function startForkRuntime(config: Config): Promise<RunningRuntime> {
  const settings = config.runtimes;
  const metrics = new RuntimeMetrics('fork', 'master');
  const lifecycle = new HttpServerLifecycle();
  const pool: ChildPool = new ChildPool(
    { size: settings.forkWorkers, queueCapacity: settings.forkQueueCapacity, requestTimeoutMs: settings.forkRequestTimeoutMs },
    metrics.watchPool(() => pool.state()),
  );
  // The master's own application only runs the projector; requests never use it.
  const app: Application | undefined = settings.projector ? await bootApplication(config, metrics, { projector: true }) : undefined;
  await pool.start();

  const handToChild: PipelineHook = {
    preHandler: (scope) => (SERVED_BY_MASTER.has(scope.route!.pattern) ? undefined : pool.handle(scope.request)),
  };
  const pipeline = new RequestPipeline({
    context: {
      get app(): Application {
        throw new AppError('INTERNAL', 'The fork master runs no application for requests');
      },
      metricsText: async () => aggregateMetrics([await metrics.snapshot(), ...(await pool.snapshots())]),
    },
    hooks: [metrics.http('front'), lifecycle.hook(), handToChild],
    logger: consoleLogger,
    debugRoutes: settings.debugRoutes,
  });

  const server = createServer(lifecycle.listener(async (req: IncomingMessage, res: ServerResponse) => {
    const refused = refusedRequest(req);
    if (refused) return write(res, refused, true);
    const { path, query } = splitUrl(req.url ?? '/');
    const { body, unread } = await readBody(req, settings.requestTimeoutMs);
    const response = await pipeline.handle({ method: req.method ?? 'GET', path, query, contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'], body, bodyUnread: unread, idempotencyKey: idempotencyKeyHeaders(req) });
    write(res, response, unread !== undefined || lifecycle.stopping);
  }));
  guardHttpServer(server, settings.requestTimeoutMs);
  server.keepAliveTimeout = 65_000;
  await listen(server, 'fork', settings.host, settings.forkPort, 'FORK_PORT');
  const port = (server.address() as { port: number }).port;
  consoleLogger.info('fork runtime listening', { port, host: settings.host, workers: settings.forkWorkers, persistent: settings.forkPersistent });
  return {
    port,
    async close() {
      const report = await lifecycle.stop(server, settings.shutdownDeadlineMs);
      // A child still busy after the deadline is left to the process's exit (children exit when the master does).
      if (report.stillRunning > 0) return report;
      await pool.stop();
      await app?.close();
      return report;
    },
  };
}

if (isMain(import.meta.url)) {
  bindProcessLogger({ runtime: 'fork', worker: 'master' });
  const config = loadConfig();
  await runMain('fork', () => startForkRuntime(config), config.runtimes.shutdownDeadlineMs);
}
