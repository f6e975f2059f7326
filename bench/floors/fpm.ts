// The FPM-like floor: a node:http master hands each request to an idle child over IPC (child_process with the
// advanced serialization, as runtimes/fork), FORK_WORKERS children, one request at a time each, queued FIFO when
// all are busy. Each child keeps one application (persistent connections): no per-request bootstrap, no pipeline.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../core/index.js';
import { JSON_TYPE, serveFloor, type FloorAnswer } from './reads.js';

interface Job {
  readonly id: number;
  readonly request: { readonly method: string; readonly path: string; readonly query: string };
  readonly done: (answer: FloorAnswer) => void;
}

const CHILD = fileURLToPath(new URL('./fpmChild.js', import.meta.url));
const size = loadConfig().runtimes.forkWorkers;
const idle: ChildProcess[] = [];
const queue: Job[] = [];
const busy = new Map<ChildProcess, Job>();
let nextId = 1;

function dispatch(): void {
  while (idle.length > 0 && queue.length > 0) {
    const child = idle.pop()!;
    const job = queue.shift()!;
    busy.set(child, job);
    child.send({ type: 'request', id: job.id, request: job.request });
  }
}

const children = await Promise.all(Array.from({ length: size }, () => new Promise<ChildProcess>((resolve) => {
  const child = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (message: { type: string; id?: number; response?: FloorAnswer }) => {
    if (message.type === 'ready') {
      idle.push(child);
      resolve(child);
    } else if (message.type === 'response') {
      const job = busy.get(child);
      busy.delete(child);
      idle.push(child);
      if (job && job.id === message.id) job.done(message.response!);
      dispatch();
    }
  });
})));

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  queue.push({
    id: nextId++,
    request: { method: req.method ?? 'GET', path: q === -1 ? url : url.slice(0, q), query: q === -1 ? '' : url.slice(q + 1) },
    done: ({ status, body }) => {
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
  });
  dispatch();
});
serveFloor(server, () => Promise.all(children.map((child) => new Promise((resolve) => {
  child.once('exit', resolve);
  child.send({ type: 'shutdown' });
}))));
