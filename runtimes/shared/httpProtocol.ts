import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { quote } from '../../core/errorBounds.js';
import { AppError } from '../../core/errors.js';
import { BODY_LIMIT_BYTES } from '../../core/http/body.js';
import { errorResponse } from '../../core/http/responses.js';
import type { HttpResponse } from '../../core/http/types.js';
import { nodeRequestHead } from './httpFraming.js';

// What a node:http server (fork's master, express) answers before a request reaches the pipeline: requests its
// parser refuses (bad framing, an invalid method or target, headers too large) and headers that do not arrive
// in time. They get the JSON error every other error gets, then the connection is closed, as node's own
// default would, but with a body.

/** The part of the request llhttp's error codes point at (its own reason says what is wrong with it). */
const PARSER_ERROR_FIELDS: Readonly<Record<string, string>> = {
  HPE_INVALID_CONTENT_LENGTH: 'content-length',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'content-length',
  HPE_INVALID_TRANSFER_ENCODING: 'transfer-encoding',
  HPE_INVALID_CHUNK_SIZE: 'body',
  HPE_INVALID_METHOD: 'method',
  HPE_INVALID_URL: 'target',
  HPE_INVALID_VERSION: 'version',
  HPE_INVALID_HEADER_TOKEN: 'headers',
  HPE_LF_EXPECTED: 'headers',
  HPE_CR_EXPECTED: 'headers',
};

/**
 * The answer to a request node's HTTP parser refused (its `reason`, a fixed text of llhttp's such as "Duplicate
 * Content-Length", says why), or whose headers did not arrive in time.
 */
export function clientErrorResponse(code: string | undefined, reason?: string): HttpResponse {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return errorResponse(new AppError('REQUEST_TIMEOUT', 'The request did not arrive within the request timeout'));
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return errorResponse(new AppError('HEADERS_TOO_LARGE', 'The request headers are too large'));
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return errorResponse(new AppError('BODY_TOO_LARGE', 'The chunk extensions of the request body are too large'));
  }
  const message = reason ? `The request is not valid HTTP/1.1: ${reason}` : 'The request is not valid HTTP/1.1';
  const field = code === undefined ? undefined : PARSER_ERROR_FIELDS[code];
  return errorResponse(new AppError('MALFORMED_REQUEST', message, field ? [{ field, message: reason ?? 'is malformed' }] : []));
}

/**
 * Writes a pipeline response on a node:http response in one go (headers with its length, then the body);
 * `close`: the connection is not reused (a body left unread, a refused request, a stop under way).
 */
export function writeResponse(res: ServerResponse, response: HttpResponse, close: boolean): void {
  const headers = { ...response.headers, 'content-length': Buffer.byteLength(response.body) };
  res.writeHead(response.status, close ? { ...headers, connection: 'close' } : headers);
  res.end(response.body);
}

/** A whole response as bytes, closing the connection (written straight on the socket: there is no request). */
function rawResponse(response: HttpResponse): string {
  let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n`;
  for (const name in response.headers) head += `${name}: ${response.headers[name]!}\r\n`;
  return `${head}content-length: ${Buffer.byteLength(response.body)}\r\nconnection: close\r\n\r\n${response.body}`;
}

function malformed(message: string): HttpResponse {
  return errorResponse(new AppError('MALFORMED_REQUEST', message));
}

/**
 * What node's parser lets through but HTTP/1.1 refuses: another version, a target that is neither a path nor an
 * absolute URL (`OPTIONS *`), and the framing rules of httpFraming.ts (Host, Content-Length, Transfer-Encoding, a
 * fragment). The adapters answer it before the pipeline, closing.
 */
export function refusedRequest(request: IncomingMessage): HttpResponse | undefined {
  const version = request.httpVersion;
  if (version !== '1.1' && version !== '1.0') return malformed(`HTTP/${version} is not supported: send HTTP/1.1`);
  const target = request.url ?? '';
  if (target.charCodeAt(0) !== 47 /* / */ && !/^https?:\/\//i.test(target)) return malformed(`The request target ${quote(target)} is not a path`);
  const problem = nodeRequestHead(request.rawHeaders).problem(version, target);
  return problem && errorResponse(problem);
}

/** Whether the request declares a body larger than the limit (answered 413 before any of it is read). */
export function declaresTooLarge(request: IncomingMessage): boolean {
  const declared = request.headers['content-length'];
  return declared !== undefined && Number(declared) > BODY_LIMIT_BYTES;
}

function onClientError(error: Error & { code?: string; reason?: string }, socket: Duplex): void {
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const answer = () => {
    if (!socket.writable) return;
    socket.end(rawResponse(clientErrorResponse(error.code, typeof error.reason === 'string' ? error.reason : undefined)));
    // Closed once written, whether or not the client ever closes its side.
    socket.once('finish', () => socket.destroy());
  };
  // The answer to an earlier, complete request still being prepared goes out first. When the fault is in the
  // request being read (a malformed chunk), it is answered now; its handler then finds the connection gone.
  if (pending && !pending.writableFinished && pending.req.complete) pending.once('close', answer);
  else answer();
}

/**
 * Applies the HTTP contract to a node:http server, before it listens: the JSON error for requests the parser
 * refuses, 408 when the headers do not arrive within `requestTimeoutMs`, no `100 Continue` for a body that will
 * be refused, and no 417 for an expectation it does not know (uWS ignores them as well).
 */
export function guardHttpServer(server: Server, requestTimeoutMs: number): void {
  // Node checks its timeouts on this interval: how late a 408 can be.
  const interval = Math.min(1_000, Math.max(50, Math.floor(requestTimeoutMs / 10)));
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = interval;
  server.headersTimeout = requestTimeoutMs;
  // readBody answers a late body itself, through the pipeline; node's request timeout is only a backstop for a
  // body nobody reads (its 408 comes after that request's answer).
  server.requestTimeout = requestTimeoutMs + 2 * interval;
  server.on('clientError', onClientError);
  // Node would answer these itself with an empty 400 (no Host) or close without a word (CONNECT).
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.end(rawResponse(malformed('CONNECT is not supported: this is not a proxy')));
    socket.once('finish', () => socket.destroy());
  });
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!declaresTooLarge(request)) response.writeContinue();
    server.emit('request', request, response);
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => server.emit('request', request, response));
}
