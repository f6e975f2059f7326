import { maxHeaderSize } from 'node:http';
import { AppError } from '../../core/errors.js';

// RFC 9112 framing rules a request head must meet, checked on the header lines as sent, the same on every runtime:
// what node's parser (llhttp) and uWS's parser let through and HTTP/1.1 refuses. Each problem is answered before the
// request reaches the pipeline, and the connection is closed (the body, if any, is never read).

// RFC 3986 host [":" port]: an IP literal or a registered name (unreserved, sub-delims, percent-escapes), never
// empty for an http URI (RFC 9110 §4.2.1).
const HOST = /^(?:\[[\w.:~!$&'()*+,;=-]+\]|(?:[\w.~!$&'()*+,;=-]|%[\dA-Fa-f]{2})+)(?::\d*)?$/;

/** A request target as sent: visible ASCII only (RFC 3986), anything else is percent-encoded. */
const TARGET = /^[\x21-\x7e]*$/;

function malformed(message: string, field: string, why: string): AppError {
  return new AppError('MALFORMED_REQUEST', message, [{ field, message: why }]);
}

/** The header lines of one request head, gathered in one pass (`add` for each line, names in lower case). */
export class RequestHead {
  private hosts = 0;
  private host = '';
  private lengths = 0;
  private length = '';
  private codings: string | undefined;
  private emptyName = false;
  /** Bytes of the header lines ("name: value\r\n"), to hold uWS to node's limit. */
  bytes = 0;

  /** Empties the head for the next request (uws reuses one: a head is read before its handler returns). */
  reset(): this {
    this.hosts = this.lengths = this.bytes = 0;
    this.host = this.length = '';
    this.codings = undefined;
    this.emptyName = false;
    return this;
  }

  add(name: string, value: string): void {
    this.bytes += name.length + value.length + 4;
    switch (name) {
      case 'host':
        this.hosts++;
        this.host = value;
        break;
      case 'content-length':
        this.lengths++;
        this.length = value;
        break;
      case 'transfer-encoding':
        this.codings = this.codings === undefined ? value : `${this.codings},${value}`;
        break;
      case '':
        this.emptyName = true;
        break;
    }
  }

  /** Whether the head announces a body (a Content-Length other than 0, or a Transfer-Encoding). */
  get hasBody(): boolean {
    return this.codings !== undefined || (this.lengths > 0 && this.length !== '0');
  }

  /** The declared Content-Length (NaN when there is none). */
  get contentLength(): number {
    return this.lengths === 0 ? Number.NaN : Number(this.length);
  }

  /** What HTTP/1.1 refuses in this head (`version` as "1.1", `target` as sent), or undefined. */
  problem(version: string, target: string): AppError | undefined {
    if (this.emptyName) return malformed('A header line has no field name', 'headers', 'has a line that starts with a colon');
    if (this.hosts === 0 && version === '1.1') return malformed('An HTTP/1.1 request must have a Host header', 'host', 'is missing');
    if (this.hosts > 1) return malformed('The request has more than one Host header', 'host', 'is given more than once');
    if (this.hosts === 1 && !HOST.test(this.host)) return malformed(`The Host header ${JSON.stringify(this.host)} is not a host[:port]`, 'host', 'is not a valid host[:port]');
    if (this.lengths > 1) return malformed('The request has more than one Content-Length header', 'content-length', 'is given more than once');
    if (this.lengths === 1 && !/^\d+$/.test(this.length)) return malformed(`Content-Length ${JSON.stringify(this.length)} is not a number of bytes`, 'content-length', 'must be digits only');
    if (this.codings !== undefined) {
      const problem = this.codingProblem(version);
      if (problem) return problem;
    }
    if (target.includes('#')) return malformed('The request target has a fragment (#…): a fragment is never sent in a request', 'target', 'has a fragment');
    if (!TARGET.test(target)) return malformed('The request target holds a byte outside visible ASCII: percent-encode it', 'target', 'must be visible ASCII');
    if (this.bytes > maxHeaderSize) return new AppError('HEADERS_TOO_LARGE', `Request headers too large: at most ${maxHeaderSize} bytes`);
    return undefined;
  }

  /** RFC 9112 §6.1 and §6.3: chunked, once and last, is the only framing; another coding is not implemented. */
  private codingProblem(version: string): AppError | undefined {
    const field = 'transfer-encoding';
    if (this.lengths > 0) return malformed('The request has both Content-Length and Transfer-Encoding', field, 'cannot be sent with Content-Length');
    if (version === '1.0') return malformed('Transfer-Encoding is not defined in HTTP/1.0', field, 'cannot be used with HTTP/1.0');
    // Empty list elements are ignored (RFC 9110 §5.6.1).
    const codings = this.codings!.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
    if (codings.length === 0) return malformed('Transfer-Encoding names no coding', field, 'is empty');
    if (codings.at(-1) !== 'chunked') return malformed(`Transfer-Encoding ${JSON.stringify(this.codings)} does not end in chunked: the body's length cannot be known`, field, 'must end in chunked');
    if (codings.indexOf('chunked') !== codings.length - 1) return malformed('Transfer-Encoding applies chunked more than once', field, 'names chunked more than once');
    if (codings.length > 1) {
      return new AppError('NOT_IMPLEMENTED', `Transfer coding ${JSON.stringify(codings[0])} is not implemented: send the body with chunked alone`, [
        { field, message: 'must be chunked alone' },
      ]);
    }
    return undefined;
  }
}

/** A node:http request's header lines (rawHeaders: name, value, name, value…) as a RequestHead. */
export function nodeRequestHead(rawHeaders: readonly string[]): RequestHead {
  const head = new RequestHead();
  for (let i = 0; i < rawHeaders.length; i += 2) head.add(rawHeaders[i]!.toLowerCase(), rawHeaders[i + 1]!);
  return head;
}
