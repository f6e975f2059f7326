// The Express floor: one process, an Express 5 app with the runtime's settings, one route per read.
import { createServer } from 'node:http';
import express, { type Request, type Response } from 'express';
import { answer, bootFloorApplication, FLOOR_ROUTES, JSON_TYPE, serveFloor } from './reads.js';

const app = await bootFloorApplication();
const server = express();
// As runtimes/express/server.ts: no ETag, no X-Powered-By, strict and case-sensitive routing.
server.disable('x-powered-by');
server.set('etag', false);
server.set('case sensitive routing', true);
server.set('strict routing', true);
for (const route of FLOOR_ROUTES) {
  server.get(route.pattern, (req: Request, res: Response) => {
    const q = req.originalUrl.indexOf('?');
    const params = req.params as Record<string, string>;
    void answer(app, route.plural, route.source, params.locale!, route.byId ? params.id : undefined, q === -1 ? '' : req.originalUrl.slice(q + 1))
      .then(({ status, body }) => res.status(status).set('content-type', JSON_TYPE).send(body));
  });
}
serveFloor(createServer(server), () => app.close());
