import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../core/config.js';
import { loadNativeUws } from '../uws/native.js';
import { announceReady } from '../launcher.js';
import { isMain, stopOnSignals } from '../shared/lifecycle.js';

// The benchmark's reference point, not a runtime of the application: uWebSockets.js with UWS_WORKERS
// threads on one port (as the uws runtime), answering every request with one constant JSON body of
// BASELINE_BODY_BYTES bytes. No routing, no I/O, no metrics: the ceiling the uws runtime is measured against.

function constantBody(bytes: number): string {
  const skeleton = JSON.stringify({ product: { id: 1, name: '' } });
  return JSON.stringify({ product: { id: 1, name: 'x'.repeat(Math.max(0, bytes - skeleton.length)) } });
}

if (isMainThread && isMain(import.meta.url)) {
  loadNativeUws();
  const { uwsWorkers, uwsPort } = loadConfig().runtimes;
  const workers = Array.from({ length: uwsWorkers }, () => new Worker(fileURLToPath(import.meta.url), { workerData: {} }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); })));
  announceReady(uwsPort);
  // Threads with uWS loaded cannot exit one by one (see runtimes/uws/worker.ts): close their sockets, then exit.
  stopOnSignals('uws-constant', async () => {
    await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage('close'); })));
  });
} else if (!isMainThread) {
  const uws = loadNativeUws();
  const { host, uwsPort } = loadConfig().runtimes;
  const body = constantBody(Number(process.env.BASELINE_BODY_BYTES ?? 200));
  const app = uws.App().any('/*', (res) => {
    res.cork(() => {
      res.writeHeader('content-type', 'application/json; charset=utf-8').end(body);
    });
  });
  app.listen(host, uwsPort, (socket) => {
    if (!socket) throw new Error(`cannot listen on ${host}:${uwsPort}`);
    parentPort!.postMessage('listening');
    parentPort!.on('message', () => {
      uws.us_listen_socket_close(socket);
      (app as unknown as { close(): void }).close();
      parentPort!.postMessage('closed');
    });
  });
}
