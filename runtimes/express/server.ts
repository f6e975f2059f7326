import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { loadConfig, type Config } from '../../core/config.js';
import { RequestPipeline } from '../../core/http/RequestPipeline.js';
import type { HttpRequest, HttpResponse, Route } from '../../core/http/types.js';
import { bindProcessLogger, consoleLogger } from '../../core/logger.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { bootApplication } from '../shared/bootstrap.js';
import { idempotencyKeyHeaders, readBody } from '../shared/httpRequest.js';
import { guardHttpServer, refusedRequest, writeResponse } from '../shared/httpProtocol.js';
import { HttpServerLifecycle, isMain, listen, runMain, type RunningRuntime } from '../shared/lifecycle.js';

// Mirrors FrankenPHP classic mode: one process, one Express 5 app, pools created once.

const EMPTY = Buffer.alloc(0);

function toHttpRequest(req: Request, body: Buffer, bodyUnread?: HttpRequest['bodyUnread']): HttpRequest {
  const q = req.originalUrl.indexOf('?');
  return {
    method: req.method,
    path: req.path,
    query: q === -1 ? '' : req.originalUrl.slice(q + 1),
    contentType: req.headers['content-type'],
    contentEncoding: req.headers['content-encoding'],
    body,
    bodyUnread,
    idempotencyKey: idempotencyKeyHeaders(req),
  };
}

/** `close`: the request's body was not read (too large, too late), or the runtime is stopping: no reuse. */
function send(res: Response, response: HttpResponse, close: boolean): void {
  res.status(response.status).set(response.headers);
  if (close) res.set('connection', 'close');
  res.send(response.body);
}

export async function startExpressRuntime(config: Config): Promise<RunningRuntime> {
  const metrics = new RuntimeMetrics('express', '0');
  const lifecycle = new HttpServerLifecycle();
  const app = await bootApplication(config, metrics, { projector: config.runtimes.projector });
  const pipeline = new RequestPipeline({
    context: { app, metricsText: () => metrics.text() },
    hooks: [metrics.http('server'), lifecycle.hook()],
    logger: consoleLogger,
    debugRoutes: config.runtimes.debugRoutes,
  });

  const server = express();
  // Off for a fair comparison (TechEmpower does the same): no ETag hashing, no X-Powered-By.
  server.disable('x-powered-by');
  server.set('etag', false);
  // Paths as the route table writes them, as on the other runtimes: `/en/PRODUCTS` and `/en/products/` are not routes.
  server.set('case sensitive routing', true);
  server.set('strict routing', true);
  // Bodies are read by the same reader as fork's (limit, timeout), not body-parser: it answers a declared
  // oversize at once and stops reading at the limit. A request without a body costs nothing.
  const timeoutMs = config.runtimes.requestTimeoutMs;
  // The entity routes first: Express tries its layers in order, and they are the requests of a load. They share
  // no path with the others (two segments or more against one), so the order changes no match.
  const entityRoute = (route: Route) => /^\/:locale\/[a-z]/.test(route.pattern);
  for (const route of [...pipeline.routes.filter(entityRoute), ...pipeline.routes.filter((r) => !entityRoute(r))]) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    server[method](route.pattern, async (req: Request, res: Response) => {
      const { body, unread } = await readBody(req, timeoutMs);
      send(res, await pipeline.handle(toHttpRequest(req, body, unread), { route, params: req.params as Record<string, string> }), unread !== undefined || lifecycle.stopping);
    });
  }
  // What Express's router did not match: the pipeline answers 404 or 405.
  server.use(async (req: Request, res: Response) => {
    const { body, unread } = await readBody(req, timeoutMs);
    send(res, await pipeline.handle(toHttpRequest(req, body, unread)), unread !== undefined || lifecycle.stopping);
  });
  // Express's own errors before a route runs (a parameter it could not decode): the pipeline matches the
  // request again and answers it (400); the handler never runs.
  server.use(async (_err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { unread } = await readBody(req, timeoutMs);
    send(res, await pipeline.handle(toHttpRequest(req, EMPTY, unread ?? 'failed')), unread !== undefined || lifecycle.stopping);
  });

  // What HTTP/1.1 refuses is answered before Express (a layer of its own would be walked by every request).
  const http: Server = createServer(lifecycle.listener((req, res) => {
    const refused = refusedRequest(req);
    if (refused) writeResponse(res, refused, true);
    else server(req, res);
  }));
  guardHttpServer(http, timeoutMs);
  await listen(http, 'express', config.runtimes.host, config.runtimes.expressPort, 'EXPRESS_PORT');
  http.keepAliveTimeout = 65_000;
  const port = (http.address() as { port: number }).port;
  consoleLogger.info('express runtime listening', { port, host: config.runtimes.host });
  return {
    port,
    async close() {
      const report = await lifecycle.stop(http, config.runtimes.shutdownDeadlineMs);
      // A handler still running holds a connection of the pool: the process exits without waiting for it.
      if (report.stillRunning === 0) await app.close();
      return report;
    },
  };
}

if (isMain(import.meta.url)) {
  bindProcessLogger({ runtime: 'express', worker: '0' });
  const config = loadConfig();
  await runMain('express', () => startExpressRuntime(config), config.runtimes.shutdownDeadlineMs);
}
