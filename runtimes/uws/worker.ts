import { STATUS_CODES } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../../core/config.js';
import { AppError } from '../../core/errors.js';
import { BODY_LIMIT_BYTES } from '../../core/http/body.js';
import { RequestPipeline } from '../../core/http/RequestPipeline.js';
import { errorResponse } from '../../core/http/responses.js';
import { parameterNames } from '../../core/http/router.js';
import type { HttpRequest, HttpResponse, Route } from '../../core/http/types.js';
import { bindProcessLogger, consoleLogger } from '../../core/logger.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { bootApplication } from '../shared/bootstrap.js';
import { RequestHead } from '../shared/httpFraming.js';
import { idleGraceMs, shuttingDownResponse } from '../shared/lifecycle.js';
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
/** Requests whose body is still arriving: cut at the shutdown deadline. */
const reading = new Set<UwsResponse>();
/** After 'shutdown': every new request is refused, every answer closes its connection. */
let stopping = false;
const EMPTY = Buffer.alloc(0);
/** Methods that write nothing: handed to the pipeline at once (see `answer` in `handler`). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * uWS closes a connection whose body stops arriving after its fixed 10 s idle timeout, checked on a 4 s tick:
 * 8 to 12 s after the last bytes, without a word. The body's own timer must fire first to answer 408, so it is
 * REQUEST_TIMEOUT_MS, but never more than a second before the earliest of those closes.
 */
const UWS_EARLIEST_IDLE_CLOSE_MS = 8_000;
const bodyTimeoutMs = Math.min(config.runtimes.requestTimeoutMs, UWS_EARLIEST_IDLE_CLOSE_MS - 1_000);
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
  /** HEAD: the answer goes without its body. */
  head: boolean;
  /** The body was not all read (too large, too late): the answer closes the connection. */
  close: boolean;
  /** The request timeout while the body is being read. */
  timer?: NodeJS.Timeout;
}

/** Answers a request unless the client went away; the writes are corked into one syscall. */
function write(res: UwsResponse, state: RequestState, response: HttpResponse): void {
  inFlight--;
  if (state.aborted) return;
  res.cork(() => {
    res.writeStatus(statusLine(response.status));
    for (const name in response.headers) res.writeHeader(name, response.headers[name]!);
    if (state.head && (stopping || state.close)) {
      res.endWithoutBody(Buffer.byteLength(response.body), true);
    } else if (state.head) {
      // Not endWithoutBody(length) on a kept connection: uWS 20.30 then waits for that many bytes, and closes the
      // connection when the next request comes.
      res.writeHeader('content-length', String(Buffer.byteLength(response.body)));
      res.endWithoutBody();
    } else {
      res.end(response.body, stopping || state.close);
    }
  });
}

/** A request that arrived after the stop began: 503, and uWS closes the connection (Connection: close). */
function refuse(res: UwsResponse): void {
  const refusal = shuttingDownResponse();
  res.cork(() => {
    res.writeStatus(statusLine(refusal.status));
    for (const name in refusal.headers) res.writeHeader(name, refusal.headers[name]!);
    res.end(refusal.body, true);
  });
}

/**
 * Reads the body in chunks up to the limit, within `bodyTimeoutMs` (before uWS's own idle timeout would close the
 * connection without an answer); calls back once with the body, or with why there is none.
 */
function readBody(res: UwsResponse, state: RequestState, done: (body: Buffer, unread?: 'too-large' | 'timeout') => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (body: Buffer, unread?: 'too-large' | 'timeout') => {
    finished = true;
    clearTimeout(state.timer);
    state.close = unread !== undefined;
    done(body, unread);
  };
  state.timer = setTimeout(() => {
    if (!finished && !state.aborted) finish(EMPTY, 'timeout');
  }, bodyTimeoutMs);
  res.onData((chunk, isLast) => {
    if (finished) return;
    size += chunk.byteLength;
    if (size > BODY_LIMIT_BYTES) {
      finish(EMPTY, 'too-large');
      return;
    }
    chunks.push(Buffer.from(new Uint8Array(chunk))); // copy: uWS reuses the chunk's memory after this call
    if (isLast) finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
}

/** The head of the request being handled: read in full before its handler returns, so one serves them all. */
const head = new RequestHead();
const addHeader = (name: string, value: string) => head.add(name, value);

/**
 * Every Idempotency-Key header (getHeader gives the first only); undefined when there is none. uWS's forEach decodes
 * values as UTF-8, dropping or replacing bytes beyond ASCII, getHeader gives them byte for byte: a lone header is
 * taken from getHeader, so a key beyond ASCII is refused as on node rather than read as another, shorter key.
 */
function idempotencyKeyHeaders(req: UwsRequest): string[] | undefined {
  let values: string[] | undefined;
  req.forEach((name, value) => {
    if (name === 'idempotency-key') (values ??= []).push(value);
  });
  if (values?.length === 1) values[0] = req.getHeader('idempotency-key');
  return values;
}

/** Everything is read from `req` before the handler returns: uWS frees it afterwards. */
function handler(route: Route | undefined, parameterCount: number) {
  // Only the command routes read an Idempotency-Key: a read never walks its headers for it.
  const command = route !== undefined && route.method !== 'GET';
  return (res: UwsResponse, req: UwsRequest) => {
    if (stopping) {
      refuse(res);
      return;
    }
    inFlight++;
    const method = req.getMethod().toUpperCase();
    const state: RequestState = { aborted: false, handedOver: false, head: method === 'HEAD', close: false };
    // A client gone before its body arrived leaves no request to finish: it no longer holds up a shutdown.
    res.onAborted(() => {
      state.aborted = true;
      clearTimeout(state.timer);
      reading.delete(res);
      if (!state.handedOver) inFlight--;
    });
    const query = req.getQuery() ?? '';
    const path = req.getUrl();
    // uWS's parser lets through what HTTP/1.1 refuses (two Host headers, an unknown transfer coding, a
    // fragment…): every request's header lines are checked as node's are (uWS serves HTTP/1.1 only).
    head.reset();
    req.forEach(addHeader);
    const problem = head.problem('1.1', query === '' ? path : `${path}?${query}`);
    if (problem) {
      state.close = true;
      state.handedOver = true;
      write(res, state, errorResponse(problem));
      return;
    }
    const contentType = req.getHeader('content-type') || undefined;
    const contentEncoding = req.getHeader('content-encoding') || undefined;
    const idempotencyKey = command ? idempotencyKeyHeaders(req) : undefined;
    let encodedParams: string[] | undefined;
    if (route) {
      encodedParams = new Array<string>(parameterCount);
      for (let i = 0; i < parameterCount; i++) encodedParams[i] = req.getParameter(i);
    }
    const match = route && encodedParams ? { route, encodedParams } : undefined;
    const handOver = (request: HttpRequest) => {
      state.handedOver = true;
      reading.delete(res);
      void pipeline.handle(request, match).then((r) => write(res, state, r));
    };
    const answer = (body: Buffer, bodyUnread?: HttpRequest['bodyUnread']) => {
      const request: HttpRequest = { method, path, query, contentType, contentEncoding, body, bodyUnread, idempotencyKey };
      if (SAFE_METHODS.has(method)) {
        handOver(request);
        return;
      }
      // uWS closes the connection when a pipelined request arrives while this one waits for I/O, answering
      // neither (it refuses async pipelining). A write is handed over only once uWS has parsed all it received
      // (the check phase comes after the poll phase), so that a write whose answer could not be sent is not run.
      setImmediate(() => {
        if (state.aborted) return;
        handOver(request);
      });
    };
    if (!head.hasBody) {
      answer(EMPTY);
      return;
    }
    if (head.contentLength > BODY_LIMIT_BYTES) {
      // Declared too large: answered at once, none of it read.
      state.close = true;
      answer(EMPTY, 'too-large');
      return;
    }
    reading.add(res);
    readBody(res, state, answer);
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

// A thread with uWS loaded cannot exit cleanly while uWS holds a socket (Node aborts on uv_loop_close), so a
// worker closes every socket it has, reports, and the main thread then ends the process.
async function shutdown(deadlineMs: number): Promise<void> {
  stopping = true;
  if (listenSocket) uws.us_listen_socket_close(listenSocket as never);
  listenSocket = undefined;
  const started = Date.now();
  const sleep = () => new Promise((resolve) => setTimeout(resolve, 10));
  while ((inFlight > 0 || Date.now() - started < idleGraceMs(deadlineMs)) && Date.now() - started < deadlineMs) await sleep();
  for (const res of [...reading]) res.close(); // stalled uploads (their onAborted brings the counters down)
  // Every connection left: idle keep-alive ones and half-sent headers (uWS shows neither), and those of handlers
  // still running (their answer is dropped). Not in the package's typings.
  (server as unknown as { close(): void }).close();
  for (const settle = Date.now() + 250; inFlight > 0 && Date.now() < settle;) await sleep();
  const stillRunning = inFlight;
  if (stillRunning === 0) await app.close();
  post({ type: 'drained', stillRunning });
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
      void shutdown(message.deadlineMs);
      break;
  }
});
