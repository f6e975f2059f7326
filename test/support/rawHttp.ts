import { connect, type Socket } from 'node:net';

// A raw HTTP/1.1 client over node:net, for requests fetch (undici) or node:http would refuse to send or would
// repair: malformed framing, bad targets, invalid bytes. It writes the bytes as given, reads one response and
// tells three outcomes apart: a response (status line, headers, body), a connection closed without a status
// line, and nothing at all within the wait.

export interface RawResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly statusLine: string;
  /** Header names lower-cased; a header sent several times keeps every value, in order. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly text: string;
  /** The connection closed (or the wait ended) before the whole body announced by the headers arrived. */
  readonly truncated: boolean;
  /** Milliseconds from the first byte written to the end of the response. */
  readonly ms: number;
}

export interface RawNoResponse {
  /** `closed`: the server closed the connection (FIN or reset) with no status line; `timeout`: nothing within the wait. */
  readonly kind: 'closed' | 'timeout';
  /** Whatever arrived (incomplete, or not HTTP). */
  readonly received: Buffer;
  readonly ms: number;
}

export type RawAnswer = RawResponse | RawNoResponse;

export interface RawOptions {
  readonly host?: string;
  /** How long to wait for a whole response after the last byte was written (default 5 s). */
  readonly timeoutMs?: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** A response's status line and headers (names lower-cased, every value of a repeated one), and where its body starts. */
export interface Head {
  status: number;
  statusLine: string;
  headers: Record<string, string[]>;
  bodyStart: number;
}

export function parseHead(data: Buffer): Head | undefined {
  const end = data.indexOf(CRLFCRLF);
  if (end === -1) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = lines[0] ?? '';
  const match = /^HTTP\/\d\.\d (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string[]> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  return { status: Number(match[1]), statusLine, headers, bodyStart: end + 4 };
}

/** Decodes a chunked body; undefined while incomplete. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) return Buffer.concat(parts); // not chunked after all: take what there is
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The body of a response once it is complete (by Content-Length or chunked), else undefined. */
function completeBody(head: Head, data: Buffer): Buffer | undefined {
  const rest = data.subarray(head.bodyStart);
  if (head.status === 204 || head.status === 304) return Buffer.alloc(0);
  if ((head.headers['transfer-encoding'] ?? []).some((v) => /chunked/i.test(v))) return dechunk(rest);
  const length = head.headers['content-length']?.[0];
  if (length !== undefined) {
    const n = Number(length);
    return rest.length >= n ? rest.subarray(0, n) : undefined;
  }
  return undefined; // delimited by the connection's close
}

function toResponse(head: Head, body: Buffer, truncated: boolean, ms: number): RawResponse {
  return { kind: 'response', status: head.status, statusLine: head.statusLine, headers: head.headers, body, text: body.toString('utf8'), truncated, ms };
}

/**
 * Opens a connection to `port`, writes `request` (every part in order, all at once), and resolves with the first
 * final response (1xx interim responses are skipped), or with `closed` / `timeout` when no status line came. Never
 * rejects on network errors: a reset is a close. The connection is destroyed afterwards (it is never reused).
 */
export function sendRaw(port: number, request: Buffer | readonly Buffer[], options: RawOptions = {}): Promise<RawAnswer> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const parts = Buffer.isBuffer(request) ? [request] : (request as readonly Buffer[]);
  return new Promise((resolve) => {
    const started = performance.now();
    let data: Buffer = Buffer.alloc(0);
    let settled = false;
    const socket: Socket = connect({ port, host: options.host ?? '127.0.0.1' });
    const elapsed = () => Math.round(performance.now() - started);

    const finish = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };

    /** Skips interim (1xx) responses; returns the final head, if its headers have arrived. */
    const finalHead = (): Head | undefined => {
      for (;;) {
        const head = parseHead(data);
        if (!head) return undefined;
        if (head.status >= 200 || head.status === 101) return head;
        data = data.subarray(head.bodyStart);
      }
    };

    const onEnd = (kind: 'closed' | 'timeout') => {
      const head = finalHead();
      if (!head) {
        finish({ kind, received: data, ms: elapsed() });
        return;
      }
      const body = completeBody(head, data);
      // No length and no chunking: the body ends with the connection.
      const delimitedByClose = head.headers['content-length'] === undefined && !(head.headers['transfer-encoding'] ?? []).some((v) => /chunked/i.test(v));
      if (body) finish(toResponse(head, body, false, elapsed()));
      else finish(toResponse(head, data.subarray(head.bodyStart), !(delimitedByClose && kind === 'closed'), elapsed()));
    };

    const timer = setTimeout(() => onEnd('timeout'), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      const head = finalHead();
      if (!head) return;
      const body = completeBody(head, data);
      if (body) finish(toResponse(head, body, false, elapsed()));
    });
    socket.on('end', () => onEnd('closed'));
    socket.on('close', () => onEnd('closed'));
    socket.on('error', () => onEnd('closed')); // ECONNRESET, EPIPE: the server is gone, what arrived is the answer
    socket.on('connect', () => {
      for (const part of parts) socket.write(part);
    });
  });
}

/** Formats what a raw exchange gave, for assertion messages. */
export function describeAnswer(answer: RawAnswer): string {
  if (answer.kind === 'response') {
    const text = answer.text.length > 300 ? `${answer.text.slice(0, 300)}…` : answer.text;
    return `${answer.statusLine} after ${answer.ms} ms${answer.truncated ? ' (body truncated)' : ''}: ${text}`;
  }
  const bytes = answer.received.length === 0 ? 'nothing' : JSON.stringify(answer.received.subarray(0, 120).toString('latin1'));
  return `${answer.kind === 'closed' ? 'connection closed without a status line' : 'no status line'} after ${answer.ms} ms (received ${bytes})`;
}
