import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { loadConfig, type Config } from '../../core/config.js';
import { BODY_LIMIT_BYTES } from '../../core/http/body.js';
import { RequestPipeline } from '../../core/http/RequestPipeline.js';
import type { HttpRequest, HttpResponse } from '../../core/http/types.js';
import { bindProcessLogger, consoleLogger } from '../../core/logger.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { bootApplication } from '../shared/bootstrap.js';
import { closeHttpServer } from '../shared/httpRequest.js';
import { announceReady, isMain, stopOnSignals, type RunningRuntime } from '../shared/lifecycle.js';

// Mirrors FrankenPHP classic mode: one process, one Express 5 app, pools created once.

const EMPTY = Buffer.alloc(0);

function toHttpRequest(req: Request, bodyUnread?: HttpRequest['bodyUnread']): HttpRequest {
  const q = req.originalUrl.indexOf('?');
  return {
    method: req.method,
    path: req.path,
    query: q === -1 ? '' : req.originalUrl.slice(q + 1),
    contentType: req.headers['content-type'],
    contentEncoding: req.headers['content-encoding'],
    body: Buffer.isBuffer(req.body) ? req.body : EMPTY,
    bodyUnread,
  };
}

function send(res: Response, response: HttpResponse): void {
  res.status(response.status).set(response.headers).send(response.body);
}

export async function startExpressRuntime(config: Config): Promise<RunningRuntime> {
  const metrics = new RuntimeMetrics('express', '0');
  const app = await bootApplication(config, metrics, { projector: config.runtimes.projector });
  const pipeline = new RequestPipeline({
    context: { app, metricsText: () => metrics.text() },
    hooks: [metrics.http('server')],
    logger: consoleLogger,
    debugRoutes: config.runtimes.debugRoutes,
  });

  const server = express();
  // Off for a fair comparison (TechEmpower does the same): no ETag hashing, no X-Powered-By.
  server.disable('x-powered-by');
  server.set('etag', false);
  // Bodies are read only by the routes that take one (the reads skip the parser altogether).
  const readBody = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES, inflate: false });
  const noBody = (_req: Request, _res: Response, next: NextFunction) => next();
  for (const route of pipeline.routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    server[method](route.pattern, route.hasBody ? readBody : noBody, async (req: Request, res: Response) => {
      send(res, await pipeline.handle(toHttpRequest(req), { route, params: req.params as Record<string, string> }));
    });
  }
  // What Express's router did not match: the pipeline answers 404 or 405.
  server.use(async (req: Request, res: Response) => {
    send(res, await pipeline.handle(toHttpRequest(req)));
  });
  // Express's own errors before a route runs (too large a body, an aborted upload, a parameter it could not
  // decode): the pipeline matches the request again and answers it (400, or 413 for a body over the limit).
  server.use(async (err: { type?: string }, req: Request, res: Response, _next: NextFunction) => {
    send(res, await pipeline.handle(toHttpRequest(req, err.type === 'entity.too.large' ? 'too-large' : 'failed')));
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
  bindProcessLogger({ runtime: 'express', worker: '0' });
  const runtime = await startExpressRuntime(loadConfig());
  announceReady(runtime.port);
  stopOnSignals('express', () => runtime.close());
}
