import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { loadConfig, type Config } from '../../core/config.js';
import { bodyTooLarge, BODY_LIMIT_BYTES } from '../../core/http/body.js';
import { RouteTable } from '../../core/http/RouteTable.js';
import { errorResponse } from '../../core/http/routes.js';
import type { HttpRequest, HttpResponse, RequestContext } from '../../core/http/types.js';
import { consoleLogger } from '../../core/logger.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { bootApplication } from '../shared/bootstrap.js';
import { closeHttpServer } from '../shared/httpRequest.js';
import { announceReady, isMain, stopOnSignals, type RunningRuntime } from '../shared/lifecycle.js';

// Mirrors FrankenPHP classic mode: one process, one Express 5 app, pools created once.

function toHttpRequest(req: Request): HttpRequest {
  const q = req.originalUrl.indexOf('?');
  return {
    method: req.method,
    path: req.path,
    query: q === -1 ? '' : req.originalUrl.slice(q + 1),
    contentType: req.headers['content-type'],
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
  };
}

function send(res: Response, response: HttpResponse): void {
  res.status(response.status).set(response.headers).send(response.body);
}

export async function startExpressRuntime(config: Config): Promise<RunningRuntime> {
  const metrics = new RuntimeMetrics('express', '0');
  const app = await bootApplication(config, metrics, { projector: config.runtimes.projector });
  const table = new RouteTable({ debugRoutes: config.runtimes.debugRoutes });
  const context: RequestContext = { app, metricsText: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }) };
  const getContext = async () => context;

  const server = express();
  // Off for a fair comparison (TechEmpower does the same): no ETag hashing, no X-Powered-By.
  server.disable('x-powered-by');
  server.set('etag', false);
  // Bodies are read only by the routes that take one (the reads skip the parser altogether).
  const readBody = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES });
  const noBody = (_req: Request, _res: Response, next: NextFunction) => next();
  for (const route of table.routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    server[method](route.pattern, route.hasBody ? readBody : noBody, async (req: Request, res: Response) => {
      send(res, await table.respondMatched(route, req.params as Record<string, string>, toHttpRequest(req), getContext, metrics));
    });
  }
  server.use(async (req: Request, res: Response) => {
    send(res, await table.respond(toHttpRequest(req), getContext, metrics));
  });
  // Errors raised before a route runs (the body parser): too large a body, an aborted upload.
  server.use((err: { type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const done = metrics.startRequest();
    const response = errorResponse(err.type === 'entity.too.large' ? bodyTooLarge() : err);
    done('unmatched', req.method, response.status, 'none');
    send(res, response);
  });

  const http: Server = await new Promise((resolve, reject) => {
    const s = server.listen(config.runtimes.expressPort, config.runtimes.host, () => resolve(s));
    s.once('error', reject);
  });
  http.keepAliveTimeout = 65_000;
  const port = (http.address() as { port: number }).port;
  consoleLogger.info('express runtime listening', { port, host: config.runtimes.host });
  return {
    port,
    async close() {
      // Stop accepting, let in-flight requests finish, then close the pools.
      await closeHttpServer(http);
      await app.close();
    },
  };
}

if (isMain(import.meta.url)) {
  const runtime = await startExpressRuntime(loadConfig());
  announceReady(runtime.port);
  stopOnSignals('express', () => runtime.close());
}
