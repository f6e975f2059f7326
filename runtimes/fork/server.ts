import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Application } from '../../core/app.js';
import { loadConfig, type Config } from '../../core/config.js';
import { bodyTooLarge } from '../../core/http/body.js';
import { RouteTable } from '../../core/http/RouteTable.js';
import { errorResponse } from '../../core/http/routes.js';
import type { HttpResponse, RouteMatch } from '../../core/http/types.js';
import { consoleLogger } from '../../core/logger.js';
import { aggregateMetrics, RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { bootApplication } from '../shared/bootstrap.js';
import { closeHttpServer, readBody, splitUrl } from '../shared/httpRequest.js';
import { announceReady, isMain, stopOnSignals, type RunningRuntime } from '../shared/lifecycle.js';
import { ChildPool } from './ChildPool.js';

// Mirrors PHP-FPM behind a web server: the master speaks HTTP (the web server's part), routes, and hands
// each request to an idle child over IPC (FastCGI's part); children run the application, one request each.
// The master answers /metrics (aggregated over its children) and 404/405 itself, as a web server would.

function write(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

export async function startForkRuntime(config: Config): Promise<RunningRuntime> {
  const settings = config.runtimes;
  const metrics = new RuntimeMetrics('fork', 'master', 'front');
  const table = new RouteTable({ debugRoutes: settings.debugRoutes });
  const pool = new ChildPool(
    { size: settings.forkWorkers, queueCapacity: settings.forkQueueCapacity, requestTimeoutMs: settings.forkRequestTimeoutMs, errorResponse },
    metrics.watchPool(() => pool.state()),
  );
  // The master's own application only runs the projector; requests never use it.
  const app: Application | undefined = settings.projector ? await bootApplication(config, metrics, { projector: true }) : undefined;
  await pool.start();

  const metricsText = async () => aggregateMetrics([await metrics.snapshot(), ...(await pool.snapshots())]);

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const done = metrics.startRequest();
    const { path, query } = splitUrl(req.url ?? '/');
    const method = req.method ?? 'GET';
    let match: RouteMatch | undefined;
    let response: HttpResponse;
    try {
      match = table.router.match(method, path);
      const { body, tooLarge } = await readBody(req);
      if (tooLarge) throw bodyTooLarge();
      const request = { method, path, query, contentType: req.headers['content-type'], body };
      response = match.route.pattern === '/metrics'
        ? await match.route.handler(request, match.params, { app: app!, metricsText })
        : await pool.handle(request);
    } catch (err) {
      response = errorResponse(err);
    }
    done(match?.route.pattern ?? 'unmatched', method, response.status, match?.route.source ?? 'none');
    write(res, response);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.forkPort, settings.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  consoleLogger.info('fork runtime listening', { port, host: settings.host, workers: settings.forkWorkers, persistent: settings.forkPersistent });
  return {
    port,
    async close() {
      const closed = closeHttpServer(server);
      await pool.stop();
      await closed;
      await app?.close();
    },
  };
}

if (isMain(import.meta.url)) {
  const runtime = await startForkRuntime(loadConfig());
  announceReady(runtime.port);
  stopOnSignals('fork', () => runtime.close());
}
