import type { IncomingMessage } from 'node:http';
import { BODY_LIMIT_BYTES } from '../../core/http/body.js';

const EMPTY = Buffer.alloc(0);

type BodyResult = { body: Buffer; unread?: 'too-large' | 'timeout' | 'failed' };

const NO_BODY: Promise<BodyResult> = Promise.resolve({ body: EMPTY });

/**
 * Reads a node:http request body; `unread` says why there is none: over the limit (declared, or as soon as the
 * bytes pass it: reading stops there), not all arrived within `timeoutMs`, or the upload was cut. Never rejects.
 * After an `unread` the adapter answers with `Connection: close`: the rest of that body is never read.
 */
export function readBody(request: IncomingMessage, timeoutMs: number): Promise<BodyResult> {
  const headers = request.headers;
  const declared = headers['content-length'];
  // Node's parser has already refused a request with both, or with an invalid length.
  if (headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0')) return NO_BODY;
  if (Number(declared) > BODY_LIMIT_BYTES) return Promise.resolve({ body: EMPTY, unread: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onCut).off('close', onCut);
      if (result.unread) request.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) finish({ body: EMPTY, unread: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ body: chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
    const onCut = () => finish({ body: EMPTY, unread: 'failed' });
    const timer = setTimeout(() => finish({ body: EMPTY, unread: 'timeout' }), timeoutMs);
    request.on('data', onData).on('end', onEnd).on('error', onCut).on('close', onCut);
  });
}

/**
 * Every Idempotency-Key header of a node:http request, as sent (`headers` would join two into one value with a
 * comma); undefined when there is none. A read (GET, HEAD) takes no key: its headers are not looked at.
 */
export function idempotencyKeyHeaders(request: IncomingMessage): string[] | undefined {
  const method = request.method;
  if (method === 'GET' || method === 'HEAD' || request.headers['idempotency-key'] === undefined) return undefined;
  return request.headersDistinct['idempotency-key'];
}

/** Splits a request target, `/path?query`, into its parts. */
export function splitUrl(url: string): { path: string; query: string } {
  // Absolute form (`GET http://host/path HTTP/1.1`), which HTTP/1.1 servers must accept: the path is what follows the authority.
  if (url.charCodeAt(0) !== 47 /* / */) {
    const authority = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i.exec(url);
    if (authority) url = url.length === authority[0].length ? '/' : url.slice(authority[0].length);
    if (url.charCodeAt(0) === 63 /* ? */) url = `/${url}`;
  }
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
