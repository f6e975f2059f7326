// The node:http floor: one process, node:http's server, one read per request (bench/floors/reads.ts).
import { createServer } from 'node:http';
import { answer, announceReady, bootFloorApplication, floorAddress, JSON_TYPE, matchFloorPath, NOT_FOUND, stopOnSignals } from './reads.js';

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
server.keepAliveTimeout = 65_000;
const { host, port } = floorAddress();
server.listen(port, host, () => announceReady(port));
stopOnSignals(async () => {
  server.close();
  server.closeAllConnections();
  await app.close();
});
