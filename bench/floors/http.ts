// The node:http floor: one process, node:http's server, one read per request (bench/floors/reads.ts).
import { createServer } from 'node:http';
import { answer, bootFloorApplication, JSON_TYPE, matchFloorPath, NOT_FOUND, serveFloor } from './reads.js';

const app = await bootFloorApplication();
const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const route = matchFloorPath(q === -1 ? url : url.slice(0, q));
  const answered = route ? answer(app, route.plural, route.source, route.locale, route.id, q === -1 ? '' : url.slice(q + 1)) : Promise.resolve(NOT_FOUND);
  void answered.then(({ status, body }) => {
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
serveFloor(server, () => app.close());
