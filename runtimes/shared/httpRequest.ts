import type { IncomingMessage } from 'node:http';
import { BODY_LIMIT_BYTES } from '../../core/http/body.js';

const EMPTY = Buffer.alloc(0);

/** Reads a node:http request body, stopping at the limit; `unread` says why there is none. Never rejects. */
export async function readBody(request: IncomingMessage): Promise<{ body: Buffer; unread?: 'too-large' | 'failed' }> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT_BYTES) {
    request.resume();
    return { body: EMPTY, unread: 'too-large' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > BODY_LIMIT_BYTES) {
        request.resume();
        return { body: EMPTY, unread: 'too-large' };
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return { body: EMPTY, unread: 'failed' }; // the upload was cut
  }
  return { body: chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
}

/** Splits `/path?query` into its parts. */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * Stops accepting connections and resolves once every connection has closed. Keep-alive connections are
 * closed as soon as they fall idle, so in-flight requests finish and nothing waits for a keep-alive timeout.
 */
export function closeHttpServer(server: import('node:http').Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
