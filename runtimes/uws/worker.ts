import { STATUS_CODES } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../../core/config.js';
import { AppError } from '../../core/errors.js';
import { BODY_LIMIT_BYTES } from '../../core/http/body.js';
import { RequestPipeline } from '../../core/http/RequestPipeline.js';
import { parameterNames } from '../../core/http/router.js';
import type { HttpRequest, HttpResponse, Route } from '../../core/http/types.js';
import { bindProcessLogger, consoleLogger } from '../../core/logger.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { bootApplication } from '../shared/bootstrap.js';
import { PendingReplies } from '../shared/PendingReplies.js';
import { BusyWorkers } from './BusyWorkers.js';
import { loadNativeUws } from './native.js';
import type { MainMessage, WorkerMessage } from './protocol.js';

// One uws worker thread: the application booted once (like a FrankenPHP worker script), its own uWS App
// listening on the shared port (SO_REUSEPORT: the kernel spreads connections over the workers).

type UwsResponse = import('@trufflesuite/uws-js-unofficial').HttpResponse;
type UwsRequest = import('@trufflesuite/uws-js-unofficial').HttpRequest;

const uws = loadNativeUws();
const { index, busyBuffer } = workerData as { index: number; busyBuffer: SharedArrayBuffer };
bindProcessLogger({ runtime: 'uws', worker: `worker-${index}` });
const config = loadConfig();
const port = parentPort!;
const metrics = new RuntimeMetrics('uws', `worker-${index}`);
const app = await bootApplication(config, metrics, { projector: false });
// The main thread asks every worker for its metrics (1 s each at most), so 5 s covers a slow round.
const metricsTexts = new PendingReplies<{ contentType: string; body: string }>(5_000);
const pipeline = new RequestPipeline({
  context: {
    app,
    metricsText: async () => {
      const text = await metricsTexts.ask((id) => post({ type: 'metrics-request', id }));
      if (!text) throw new AppError('SERVICE_UNAVAILABLE', 'The aggregated metrics did not arrive from the main thread');
      return text;
    },
  },
  hooks: [metrics.http('server'), new BusyWorkers(busyBuffer).hook(index)],
  logger: consoleLogger,
  debugRoutes: config.runtimes.debugRoutes,
});

/** Requests not yet answered, so that a shutdown waits for them. */
let inFlight = 0;
const EMPTY = Buffer.alloc(0);
const STATUS_LINES = new Map<number, string>();

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (!line) STATUS_LINES.set(status, (line = `${status} ${STATUS_CODES[status] ?? ''}`));
  return line;
}

interface RequestState {
  aborted: boolean;
  /** Given to the pipeline: `write` ends it, whether or not the client is still there. */
  handedOver: boolean;
}

/** Answers a request unless the client went away; the writes are corked into one syscall. */
function write(res: UwsResponse, state: RequestState, response: HttpResponse): void {
  inFlight--;
  if (state.aborted) return;
  res.cork(() => {
    res.writeStatus(statusLine(response.status));
    for (const name in response.headers) res.writeHeader(name, response.headers[name]!);
    res.end(response.body);
  });
}

/** Reads the body in chunks up to the limit; calls back once with the body, or with null when too large. */
function readBody(res: UwsResponse, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  res.onData((chunk, isLast) => {
    if (finished) return;
    size += chunk.byteLength;
    if (size > BODY_LIMIT_BYTES) {
      finished = true;
      done(null);
      return;
    }
    chunks.push(Buffer.from(new Uint8Array(chunk))); // copy: uWS reuses the chunk's memory after this call
    if (isLast) {
      finished = true;
      done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    }
  });
}

/** Everything is read from `req` before the handler returns: uWS frees it afterwards. */
function handler(route: Route | undefined, parameterCount: number) {
  return (res: UwsResponse, req: UwsRequest) => {
    inFlight++;
    const state: RequestState = { aborted: false, handedOver: false };
    // A client gone before its body arrived leaves no request to finish: it no longer holds up a shutdown.
    res.onAborted(() => {
      state.aborted = true;
      if (!state.handedOver) inFlight--;
    });
    const method = req.getMethod().toUpperCase();
    const query = req.getQuery() ?? '';
    const contentType = req.getHeader('content-type') || undefined;
    const contentEncoding = req.getHeader('content-encoding') || undefined;
    const path = req.getUrl();
    let encodedParams: string[] | undefined;
    if (route) {
      encodedParams = new Array<string>(parameterCount);
      for (let i = 0; i < parameterCount; i++) encodedParams[i] = req.getParameter(i);
    }
    const answer = (body: Buffer, bodyUnread?: HttpRequest['bodyUnread']) => {
      const request: HttpRequest = { method, path, query, contentType, contentEncoding, body, bodyUnread };
      state.handedOver = true;
      void pipeline.handle(request, route && encodedParams ? { route, encodedParams } : undefined).then((r) => write(res, state, r));
    };
    if (method === 'GET' || method === 'DELETE' || method === 'HEAD') {
      answer(EMPTY);
      return;
    }
    readBody(res, (body) => (body ? answer(body) : answer(EMPTY, 'too-large')));
  };
}

const server = uws.App();
for (const route of pipeline.routes) {
  const h = handler(route, parameterNames(route.pattern).length);
  switch (route.method) {
    case 'GET': server.get(route.pattern, h); break;
    case 'POST': server.post(route.pattern, h); break;
    case 'PUT': server.put(route.pattern, h); break;
    case 'DELETE': server.del(route.pattern, h); break;
  }
}
server.any('/*', handler(undefined, 0));

let listenSocket: unknown;
server.listen(config.runtimes.host, config.runtimes.uwsPort, (socket) => {
  if (!socket) {
    post({ type: 'listen-failed', reason: `cannot listen on ${config.runtimes.host}:${config.runtimes.uwsPort}` });
    return;
  }
  listenSocket = socket;
  post({ type: 'listening' });
});

// A thread with uWS loaded cannot exit cleanly (its loop keeps a native handle, and Node aborts on
// uv_loop_close), so a worker only drains and reports; the main thread then ends the process.
async function shutdown(): Promise<void> {
  if (listenSocket) uws.us_listen_socket_close(listenSocket as never);
  listenSocket = undefined;
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  // Closes the remaining (idle keep-alive) connections; not in the package's typings.
  (server as unknown as { close(): void }).close();
  await app.close();
  post({ type: 'drained' });
}

port.on('message', (message: MainMessage) => {
  switch (message.type) {
    case 'snapshot':
      void metrics.snapshot().then((snapshot) => post({ type: 'snapshot', id: message.id, snapshot }));
      break;
    case 'metrics-text':
      metricsTexts.settle(message.id, { contentType: message.contentType, body: message.body });
      break;
    case 'shutdown':
      void shutdown();
      break;
  }
});
