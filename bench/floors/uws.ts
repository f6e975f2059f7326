// The uWS floor: UWS_WORKERS threads on one port (SO_REUSEPORT, as the uws runtime), each with the application
// booted once and uWS's router; a response written in one cork. Nothing else.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type * as Uws from '@trufflesuite/uws-js-unofficial';
import { loadConfig } from '../../core/index.js';
import { announceReady } from '../../runtimes/launcher.js';
import { answer, bootFloorApplication, floorAddress, FLOOR_ROUTES, JSON_TYPE, stopOnSignals } from './reads.js';

const { host, port } = floorAddress();

if (isMainThread) {
  const count = loadConfig().runtimes.uwsWorkers;
  const workers = Array.from({ length: count }, () => new Worker(fileURLToPath(import.meta.url)));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); })));
  announceReady(port);
  // Threads with uWS loaded cannot exit one by one (as in runtimes/uws): they close their sockets, then the process exits.
  stopOnSignals(async () => {
    await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage('close'); })));
  });
} else {
  const uws = createRequire(import.meta.url)('@trufflesuite/uws-js-unofficial') as typeof Uws;
  const app = await bootFloorApplication();
  const server = uws.App();
  for (const route of FLOOR_ROUTES) {
    server.get(route.pattern, (res, req) => {
      let aborted = false;
      res.onAborted(() => { aborted = true; });
      const locale = req.getParameter(0) ?? '';
      const id = route.byId ? req.getParameter(1) : undefined;
      void answer(app, route.plural, route.source, locale, id, req.getQuery() ?? '').then(({ status, body }) => {
        if (aborted) return;
        res.cork(() => {
          if (status !== 200) res.writeStatus(String(status));
          res.writeHeader('content-type', JSON_TYPE).end(body);
        });
      });
    });
  }
  server.any('/*', (res) => {
    res.cork(() => res.writeStatus('404').writeHeader('content-type', JSON_TYPE).end(JSON.stringify({ error: 'Not found', code: 'NOT_FOUND' })));
  });
  server.listen(host, port, (socket) => {
    if (!socket) throw new Error(`cannot listen on ${host}:${port}`);
    parentPort!.postMessage('listening');
    parentPort!.once('message', () => {
      uws.us_listen_socket_close(socket);
      (server as unknown as { close(): void }).close();
      void app.close().finally(() => parentPort!.postMessage('closed'));
    });
  });
}
