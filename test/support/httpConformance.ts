import type { RuntimeName } from '../../runtimes/launcher.js';
import { RawConnection } from './rawConnection.js';

// HTTP/1.1 framing conformance (RFC 9112, RFC 9110): the cases, what the RFC requires of each, how an exchange
// is reduced to one outcome, and the table of docs/HTTP-CONFORMANCE.md rendered from the outcomes observed on the
// three runtimes (test/e2e/runtimes/httpConformance.test.ts). The cases follow Http11Probe's classification of
// RFC 2119 levels; a runtime may differ from the expectation only where a documented deviation says so, with why.

export type Level = 'MUST' | 'SHOULD' | 'MAY';

/**
 * What came back, as one line: `served` (the route's own answer: 200 for a GET, the application's 400
 * VALIDATION_FAILED on `name` for a POST, which read the body), `<status> <code>` for any other answer, each
 * followed by `, closed` when the server closed the connection after it; or no answer: `closed at once, no
 * answer` (within 2 s), `closed by the idle timeout, no answer` (uWS's, after 5–15 s), `no answer`.
 */
export type Outcome = string;

export interface Deviation {
  readonly outcome: Outcome;
  /** Which parser decides, and why the runtime cannot answer as the RFC asks. */
  readonly why: string;
}

export interface ConformanceCase {
  readonly id: string;
  readonly group: string;
  /** What the request does, for the table. */
  readonly title: string;
  readonly rfc: string;
  readonly level: Level;
  /** The bytes sent (every character one byte). */
  readonly request: string;
  /** What the RFC allows, the preferred answer first (a MAY or an "either … or" allows several). */
  readonly expected: readonly Outcome[];
  /** fork and express: node's parser (llhttp) decides before any JavaScript sees the request. */
  readonly node?: Deviation;
  /** uws: uWS's C++ parser decides before JavaScript sees the request. */
  readonly uws?: Deviation;
}

const HOST = 'Host: 127.0.0.1\r\n';
/** A body the application reads and refuses on `name` (writes nothing): a 400 VALIDATION_FAILED means it was read. */
const BODY = '{"name":"","price":"1.00"}';
const CHUNKED = 'Transfer-Encoding: chunked\r\n';
const hex = (n: number) => n.toString(16);
const chunks = (...parts: string[]) => `${parts.map((p) => `${hex(p.length)}\r\n${p}\r\n`).join('')}0\r\n\r\n`;

function get(headers = HOST, target = '/en/products/db/1', version = 'HTTP/1.1', method = 'GET'): string {
  return `${method} ${target} ${version}\r\n${headers}\r\n`;
}

function post(headers: string, body = BODY, target = '/en/products', version = 'HTTP/1.1'): string {
  return `POST ${target} ${version}\r\n${HOST}Content-Type: application/json\r\n${headers}\r\n${body}`;
}

const length = `Content-Length: ${BODY.length}\r\n`;
const SERVED = 'served';
const REFUSED = '400 MALFORMED_REQUEST, closed';
const AT_ONCE = 'closed at once, no answer';
const IDLE = 'closed by the idle timeout, no answer';
const TIMEOUT = '408 REQUEST_TIMEOUT, closed';

const UWS_REFUSES = "uWS's parser refuses it and closes the connection without a status line";
const UWS_IDLE = "uWS's parser neither answers nor closes: the connection waits for uWS's idle timeout (no API reaches it)";
const UWS_NO_HTTP10 = 'uWS serves HTTP/1.1 only: ' + UWS_IDLE;
const UWS_ACCEPTS = "uWS's parser accepts it: JavaScript never sees the chunk lines";
const UWS_WAITS = "uWS's chunk parser waits for more bytes: the application's body timer answers 408";
const LLHTTP = 'llhttp (node:http, insecureHTTPParser off) decides before the adapter sees the request';

export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  // Host: RFC 9112 §3.2 — "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request
  // message that lacks a Host header field and to any request message that contains more than one Host header
  // field line or a Host header field with an invalid field value."
  { id: 'host-missing', group: 'Host', title: 'HTTP/1.1 without Host', rfc: 'RFC 9112 §3.2', level: 'MUST', request: get(''), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'host-twice', group: 'Host', title: 'two Host lines, different values', rfc: 'RFC 9112 §3.2', level: 'MUST', request: get(`${HOST}Host: example.com\r\n`), expected: [REFUSED] },
  { id: 'host-twice-same', group: 'Host', title: 'two Host lines, the same value', rfc: 'RFC 9112 §3.2', level: 'MUST', request: get(`${HOST}${HOST}`), expected: [REFUSED] },
  { id: 'host-empty', group: 'Host', title: '`Host:` empty (an http URI has a host)', rfc: 'RFC 9112 §3.2, RFC 9110 §4.2.1', level: 'MUST', request: get('Host:\r\n'), expected: [REFUSED] },
  { id: 'host-path', group: 'Host', title: '`Host: 127.0.0.1/x`', rfc: 'RFC 9112 §3.2', level: 'MUST', request: get('Host: 127.0.0.1/x\r\n'), expected: [REFUSED] },
  { id: 'host-userinfo', group: 'Host', title: '`Host: user@127.0.0.1`', rfc: 'RFC 9112 §3.2', level: 'MUST', request: get('Host: user@127.0.0.1\r\n'), expected: [REFUSED] },
  { id: 'host-list', group: 'Host', title: '`Host: a, b`', rfc: 'RFC 9112 §3.2', level: 'MUST', request: get('Host: a, b\r\n'), expected: [REFUSED] },
  { id: 'host-http10', group: 'Host', title: 'HTTP/1.0 without Host', rfc: 'RFC 9112 §3.2, §9.3', level: 'SHOULD', request: get('', '/en/products/db/1', 'HTTP/1.0'), expected: [`${SERVED}, closed`], uws: { outcome: IDLE, why: UWS_NO_HTTP10 } },
  { id: 'host-absolute-form', group: 'Host', title: 'absolute-form target, another Host (the target\'s authority wins)', rfc: 'RFC 9112 §3.2.2', level: 'MUST', request: get('Host: example.com\r\n', 'http://127.0.0.1/en/products/db/1'), expected: [SERVED], uws: { outcome: IDLE, why: UWS_IDLE } },

  // Content-Length: RFC 9110 §8.6 (Content-Length = 1*DIGIT) and RFC 9112 §6.3 — "If a message is received without
  // Transfer-Encoding and with an invalid Content-Length header field, then the message framing is invalid and
  // the recipient MUST treat it as an unrecoverable error … the server MUST respond with a 400 (Bad Request)
  // status code and then close the connection."
  { id: 'cl-not-number', group: 'Content-Length', title: '`Content-Length: abc`', rfc: 'RFC 9112 §6.3', level: 'MUST', request: post('Content-Length: abc\r\n'), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'cl-negative', group: 'Content-Length', title: '`Content-Length: -1`', rfc: 'RFC 9112 §6.3', level: 'MUST', request: post('Content-Length: -1\r\n'), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'cl-plus', group: 'Content-Length', title: '`Content-Length: +26`', rfc: 'RFC 9112 §6.3', level: 'MUST', request: post(`Content-Length: +${BODY.length}\r\n`), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'cl-empty', group: 'Content-Length', title: '`Content-Length:` empty', rfc: 'RFC 9112 §6.3', level: 'MUST', request: post('Content-Length:\r\n'), expected: [REFUSED] },
  { id: 'cl-overflow', group: 'Content-Length', title: '`Content-Length: 99999999999999999999999`', rfc: 'RFC 9110 §8.6', level: 'MUST', request: post('Content-Length: 99999999999999999999999\r\n'), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'cl-list-different', group: 'Content-Length', title: '`Content-Length: 26, 3`', rfc: 'RFC 9112 §6.3', level: 'MUST', request: post(`Content-Length: ${BODY.length}, 3\r\n`), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'cl-twice-different', group: 'Content-Length', title: 'two Content-Length lines, 26 and 3', rfc: 'RFC 9112 §6.3', level: 'MUST', request: post(`${length}Content-Length: 3\r\n`), expected: [REFUSED] },
  // RFC 9110 §8.6: a recipient MAY reject a list of identical values or replace it with one; node rejects, so all do.
  { id: 'cl-twice-same', group: 'Content-Length', title: 'two Content-Length lines, both 26', rfc: 'RFC 9110 §8.6', level: 'MAY', request: post(`${length}${length}`), expected: [REFUSED, SERVED] },
  { id: 'cl-list-same', group: 'Content-Length', title: '`Content-Length: 26, 26`', rfc: 'RFC 9110 §8.6', level: 'MAY', request: post(`Content-Length: ${BODY.length}, ${BODY.length}\r\n`), expected: [REFUSED, SERVED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  // RFC 9112 §6.1: "A server MAY reject a request that contains both Content-Length and Transfer-Encoding … Regardless, the server MUST close the connection after responding".
  { id: 'cl-and-te', group: 'Content-Length', title: 'Content-Length and Transfer-Encoding: chunked', rfc: 'RFC 9112 §6.1', level: 'MUST', request: post(`${length}${CHUNKED}`, chunks(BODY)), expected: [REFUSED, `${SERVED}, closed`], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  // RFC 9112 §6.2 / §8: a body cut short is incomplete, "the recipient MUST consider the message to be incomplete and close the connection".
  { id: 'cl-short-body', group: 'Content-Length', title: '`Content-Length: 100`, 26 bytes sent, then nothing', rfc: 'RFC 9112 §8', level: 'MUST', request: post('Content-Length: 100\r\n'), expected: [TIMEOUT] },

  // Transfer-Encoding: RFC 9112 §6.1 — "A server that receives a request message with a transfer coding it does not
  // understand SHOULD respond with 501 (Not Implemented)"; §6.3 — "If a Transfer-Encoding header field is present in
  // a request and the chunked transfer coding is not the final encoding, … the server MUST respond with the 400
  // (Bad Request) status code and then close the connection."
  { id: 'te-unknown-then-chunked', group: 'Transfer-Encoding', title: '`Transfer-Encoding: gzip, chunked`', rfc: 'RFC 9112 §6.1', level: 'SHOULD', request: post('Transfer-Encoding: gzip, chunked\r\n', chunks(BODY)), expected: ['501 NOT_IMPLEMENTED, closed'] },
  { id: 'te-two-lines', group: 'Transfer-Encoding', title: 'two lines, `gzip` then `chunked`', rfc: 'RFC 9112 §6.1', level: 'SHOULD', request: post(`Transfer-Encoding: gzip\r\n${CHUNKED}`, chunks(BODY)), expected: ['501 NOT_IMPLEMENTED, closed'] },
  { id: 'te-chunked-not-last', group: 'Transfer-Encoding', title: '`Transfer-Encoding: chunked, gzip`', rfc: 'RFC 9112 §6.3', level: 'MUST', request: post('Transfer-Encoding: chunked, gzip\r\n', chunks(BODY)), expected: [REFUSED] },
  { id: 'te-xchunked', group: 'Transfer-Encoding', title: '`Transfer-Encoding: xchunked`', rfc: 'RFC 9112 §6.3', level: 'MUST', request: post('Transfer-Encoding: xchunked\r\n', chunks(BODY)), expected: [REFUSED] },
  { id: 'te-identity', group: 'Transfer-Encoding', title: '`Transfer-Encoding: identity` (removed from the registry)', rfc: 'RFC 9112 §6.3, §7', level: 'MUST', request: post('Transfer-Encoding: identity\r\n'), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  // RFC 9112 §6.1: "A sender MUST NOT apply the chunked transfer coding more than once to a message body".
  { id: 'te-chunked-twice', group: 'Transfer-Encoding', title: '`Transfer-Encoding: chunked, chunked`', rfc: 'RFC 9112 §6.1', level: 'MUST', request: post('Transfer-Encoding: chunked, chunked\r\n', chunks(BODY)), expected: [REFUSED] },
  { id: 'te-empty', group: 'Transfer-Encoding', title: '`Transfer-Encoding:` empty', rfc: 'RFC 9112 §6.1', level: 'MUST', request: post('Transfer-Encoding:\r\n', chunks(BODY)), expected: [REFUSED] },
  { id: 'te-case', group: 'Transfer-Encoding', title: '`Transfer-Encoding: Chunked` (names are case-insensitive)', rfc: 'RFC 9112 §7', level: 'MUST', request: post('Transfer-Encoding: Chunked\r\n', chunks(BODY)), expected: [SERVED] },
  // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding MUST be treated "as if the framing is faulty".
  { id: 'te-http10', group: 'Transfer-Encoding', title: 'Transfer-Encoding on HTTP/1.0', rfc: 'RFC 9112 §6.1', level: 'MUST', request: post(CHUNKED, chunks(BODY), '/en/products', 'HTTP/1.0'), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_NO_HTTP10 } },

  // Chunked body: RFC 9112 §7.1 — "A recipient MUST be able to parse and decode the chunked transfer coding";
  // chunk-size = 1*HEXDIG; §7.1.1 — "A recipient MUST ignore unrecognized chunk extensions".
  { id: 'chunked-two-chunks', group: 'Chunked body', title: 'a body in two chunks', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, chunks(BODY.slice(0, 9), BODY.slice(9))), expected: [SERVED] },
  { id: 'chunked-upper-hex', group: 'Chunked body', title: 'chunk size in upper-case hex', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, `${hex(BODY.length).toUpperCase()}\r\n${BODY}\r\n0\r\n\r\n`), expected: [SERVED] },
  { id: 'chunked-trailer', group: 'Chunked body', title: 'a trailer field after the last chunk', rfc: 'RFC 9112 §7.1.2', level: 'MUST', request: post(CHUNKED, `${hex(BODY.length)}\r\n${BODY}\r\n0\r\nX-Trailer: 1\r\n\r\n`), expected: [SERVED] },
  { id: 'chunk-extension', group: 'Chunked body', title: 'a chunk extension `;ext=1`', rfc: 'RFC 9112 §7.1.1', level: 'MUST', request: post(CHUNKED, `${hex(BODY.length)};ext=1\r\n${BODY}\r\n0\r\n\r\n`), expected: [SERVED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'chunk-extension-quoted', group: 'Chunked body', title: 'a chunk extension with a quoted value', rfc: 'RFC 9112 §7.1.1', level: 'MUST', request: post(CHUNKED, `${hex(BODY.length)};a="b c"\r\n${BODY}\r\n0\r\n\r\n`), expected: [SERVED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'chunk-size-invalid', group: 'Chunked body', title: 'chunk size `ZZ`', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, `ZZ\r\n${BODY}\r\n0\r\n\r\n`), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'chunk-size-0x', group: 'Chunked body', title: 'chunk size `0x1a`', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, `0x${hex(BODY.length)}\r\n${BODY}\r\n0\r\n\r\n`), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'chunk-size-negative', group: 'Chunked body', title: 'chunk size `-1`', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, `-1\r\n${BODY}\r\n0\r\n\r\n`), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'chunk-size-overflow', group: 'Chunked body', title: 'chunk size of 22 hex digits', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, `FFFFFFFFFFFFFFFFFFFFFF\r\n${BODY}\r\n0\r\n\r\n`), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'chunk-size-leading-space', group: 'Chunked body', title: 'a space before the chunk size', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, ` ${hex(BODY.length)}\r\n${BODY}\r\n0\r\n\r\n`), expected: [REFUSED], uws: { outcome: SERVED, why: UWS_ACCEPTS } },
  { id: 'chunk-extension-no-name', group: 'Chunked body', title: 'a chunk extension `;` without a name', rfc: 'RFC 9112 §7.1.1', level: 'MUST', request: post(CHUNKED, `${hex(BODY.length)};\r\n${BODY}\r\n0\r\n\r\n`), expected: [REFUSED], uws: { outcome: TIMEOUT, why: UWS_WAITS } },
  { id: 'chunk-extension-bare-cr', group: 'Chunked body', title: 'a bare CR in a chunk extension', rfc: 'RFC 9112 §2.2', level: 'MUST', request: post(CHUNKED, `${hex(BODY.length)};a\rb\r\n${BODY}\r\n0\r\n\r\n`), expected: [REFUSED], uws: { outcome: TIMEOUT, why: UWS_WAITS } },
  { id: 'chunk-data-too-long', group: 'Chunked body', title: 'chunk data longer than its size', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, `5\r\n${BODY}\r\n0\r\n\r\n`), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'chunk-no-last', group: 'Chunked body', title: 'no last (zero) chunk, then nothing', rfc: 'RFC 9112 §7.1', level: 'MUST', request: post(CHUNKED, `${hex(BODY.length)}\r\n${BODY}\r\n`), expected: [TIMEOUT] },
  // RFC 9112 §2.2: "A recipient MAY recognize a single LF as a line terminator and ignore any preceding CR."
  { id: 'chunk-lf-only', group: 'Chunked body', title: 'chunk lines ended by LF alone', rfc: 'RFC 9112 §2.2', level: 'MAY', request: post(CHUNKED, `${hex(BODY.length)}\n${BODY}\n0\n\n`), expected: [REFUSED, SERVED] },

  // Line endings: RFC 9112 §2.2.
  { id: 'lf-only', group: 'Line endings', title: 'every line ended by LF alone', rfc: 'RFC 9112 §2.2', level: 'MAY', request: 'GET /en/products/db/1 HTTP/1.1\nHost: 127.0.0.1\n\n', expected: [REFUSED, SERVED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'lf-only-one-header', group: 'Line endings', title: 'one header line ended by LF alone', rfc: 'RFC 9112 §2.2', level: 'MAY', request: `GET /en/products/db/1 HTTP/1.1\r\n${HOST.slice(0, -2)}\nX-A: b\r\n\r\n`, expected: [REFUSED, SERVED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'cr-only', group: 'Line endings', title: 'lines ended by CR alone', rfc: 'RFC 9112 §2.2', level: 'MUST', request: 'GET /en/products/db/1 HTTP/1.1\rHost: 127.0.0.1\r\r', expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'bare-cr-in-value', group: 'Line endings', title: 'a bare CR inside a header value', rfc: 'RFC 9112 §2.2', level: 'MUST', request: get(`${HOST}X-A: a\rb\r\n`), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'leading-crlf', group: 'Line endings', title: 'an empty line before the request line', rfc: 'RFC 9112 §2.2', level: 'SHOULD', request: `\r\n${get()}`, expected: [SERVED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'whitespace-line-before-headers', group: 'Line endings', title: 'a line starting with a space right after the request line', rfc: 'RFC 9112 §2.2', level: 'MUST', request: `GET /en/products/db/1 HTTP/1.1\r\n X-A: b\r\n${HOST}\r\n`, expected: [REFUSED, SERVED], uws: { outcome: IDLE, why: UWS_IDLE } },

  // Header fields: RFC 9112 §5 (field-line = field-name ":" OWS field-value OWS; field-name = token), §5.1, §5.2;
  // RFC 9110 §5.5 (CR, LF, NUL in a value: reject or replace with SP), §5.4 (too large: an appropriate 4xx).
  { id: 'space-before-colon', group: 'Header fields', title: 'a space between a field name and its colon', rfc: 'RFC 9112 §5.1', level: 'MUST', request: get(`${HOST}X-A : b\r\n`), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'space-before-colon-cl', group: 'Header fields', title: '`Content-Length : 26`', rfc: 'RFC 9112 §5.1', level: 'MUST', request: post(`Content-Length : ${BODY.length}\r\n`), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'obs-fold', group: 'Header fields', title: 'obsolete line folding', rfc: 'RFC 9112 §5.2', level: 'MUST', request: get(`${HOST}X-A: a\r\n b\r\n`), expected: [REFUSED, SERVED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'no-colon', group: 'Header fields', title: 'a header line without a colon', rfc: 'RFC 9112 §5', level: 'MUST', request: get(`${HOST}Bogus\r\n`), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  {
    id: 'empty-name', group: 'Header fields', title: 'a header line `: v` (no name)', rfc: 'RFC 9112 §5', level: 'MUST', request: get(`${HOST}: v\r\n`), expected: [REFUSED],
    uws: { outcome: SERVED, why: "uWS's parser takes the line for the end of its header list: JavaScript sees neither it nor the lines after it" },
  },
  { id: 'invalid-name', group: 'Header fields', title: 'a field name `X[A]`', rfc: 'RFC 9112 §5', level: 'MUST', request: get(`${HOST}X[A]: v\r\n`), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'nul-in-value', group: 'Header fields', title: 'a NUL in a header value', rfc: 'RFC 9110 §5.5', level: 'MUST', request: get(`${HOST}X-A: a\u0000b\r\n`), expected: [REFUSED, SERVED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'ctl-in-value', group: 'Header fields', title: 'a control character (0x01) in a header value', rfc: 'RFC 9110 §5.5', level: 'MUST', request: get(`${HOST}X-A: a\u0001b\r\n`), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'headers-too-large', group: 'Header fields', title: 'a 20 KB header line', rfc: 'RFC 9110 §5.4', level: 'MUST', request: get(`${HOST}X-Big: ${'b'.repeat(20_000)}\r\n`), expected: ['431 HEADERS_TOO_LARGE, closed'] },
  {
    id: 'many-headers', group: 'Header fields', title: '49 header lines', rfc: 'RFC 9110 §5.4', level: 'MUST', request: get(`${HOST}${Array.from({ length: 48 }, (_, i) => `X-H${i}: v\r\n`).join('')}`), expected: [SERVED],
    uws: { outcome: IDLE, why: "uWS's parser holds at most 48 header lines (uNetworking/uWebSockets.js#1099): " + UWS_IDLE },
  },

  // Request line: RFC 9112 §3 (request-line = method SP request-target SP HTTP-version; "Recipients of an invalid
  // request-line SHOULD respond with either a 400 (Bad Request) error or a 301 (Moved Permanently) redirect"),
  // §3.2 (origin-form has no fragment; "A server MUST accept the absolute-form"), §2.3 (HTTP-version grammar).
  { id: 'fragment-get', group: 'Request line', title: 'a fragment in a GET target (`/en/products/db/1#x`)', rfc: 'RFC 9112 §3.2', level: 'SHOULD', request: get(HOST, '/en/products/db/1#x'), expected: [REFUSED] },
  { id: 'fragment-post', group: 'Request line', title: 'a fragment in a POST target', rfc: 'RFC 9112 §3.2', level: 'SHOULD', request: post(length, BODY, '/en/products#x'), expected: [REFUSED] },
  { id: 'absolute-form', group: 'Request line', title: 'an absolute-form target', rfc: 'RFC 9112 §3.2.2', level: 'MUST', request: get(HOST, 'http://127.0.0.1/en/products/db/1'), expected: [SERVED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'asterisk-get', group: 'Request line', title: '`GET *`', rfc: 'RFC 9112 §3.2.4', level: 'MUST', request: get(HOST, '*'), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  // RFC 9110 §9.3.7: a server-wide OPTIONS is optional; this server implements no OPTIONS.
  { id: 'options-asterisk', group: 'Request line', title: '`OPTIONS *`', rfc: 'RFC 9110 §9.3.7', level: 'MAY', request: get(HOST, '*', 'HTTP/1.1', 'OPTIONS'), expected: [REFUSED, '501 NOT_IMPLEMENTED, closed'], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'missing-target', group: 'Request line', title: 'no target (`GET  HTTP/1.1`)', rfc: 'RFC 9112 §3', level: 'MUST', request: get(HOST, ''), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'two-spaces', group: 'Request line', title: 'two spaces after the method', rfc: 'RFC 9112 §3', level: 'SHOULD', request: `GET  /en/products/db/1 HTTP/1.1\r\n${HOST}\r\n`, expected: [REFUSED], node: { outcome: SERVED, why: LLHTTP }, uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'tab-separator', group: 'Request line', title: 'a tab between method and target', rfc: 'RFC 9112 §3', level: 'SHOULD', request: `GET\t/en/products/db/1 HTTP/1.1\r\n${HOST}\r\n`, expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'space-in-target', group: 'Request line', title: 'a raw space in the target', rfc: 'RFC 9112 §3', level: 'SHOULD', request: get(HOST, '/en/products/db/1 2'), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'nul-in-target', group: 'Request line', title: 'a NUL in the target', rfc: 'RFC 9112 §3', level: 'SHOULD', request: get(HOST, '/en/products/db/1\u0000'), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'non-ascii-target', group: 'Request line', title: 'a raw UTF-8 byte in the target', rfc: 'RFC 9112 §3', level: 'SHOULD', request: get(HOST, '/en/products/db/\u00c3\u00a9'), expected: [REFUSED] },
  { id: 'http09', group: 'Request line', title: 'an HTTP/0.9 request line (no version)', rfc: 'RFC 9112 §2.3', level: 'SHOULD', request: 'GET /en/products/db/1\r\n\r\n', expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'version-no-minor', group: 'Request line', title: 'version `HTTP/1`', rfc: 'RFC 9112 §2.3', level: 'MUST', request: get(HOST, '/en/products/db/1', 'HTTP/1'), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'version-lower-case', group: 'Request line', title: 'version `http/1.1` (HTTP-name is case-sensitive)', rfc: 'RFC 9112 §2.3', level: 'MUST', request: get(HOST, '/en/products/db/1', 'http/1.1'), expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  {
    id: 'version-1.2', group: 'Request line', title: 'version `HTTP/1.2` (a higher minor version)', rfc: 'RFC 9112 §2.3', level: 'SHOULD', request: get(HOST, '/en/products/db/1', 'HTTP/1.2'), expected: [SERVED],
    node: { outcome: REFUSED, why: `${LLHTTP}: it knows 0.9, 1.0, 1.1 and 2.0 only (HPE_INVALID_VERSION)` }, uws: { outcome: IDLE, why: UWS_IDLE },
  },
  { id: 'version-2.0', group: 'Request line', title: 'version `HTTP/2.0` in an HTTP/1 request line', rfc: 'RFC 9110 §15.6.6', level: 'MAY', request: get(HOST, '/en/products/db/1', 'HTTP/2.0'), expected: [REFUSED, '505 HTTP_VERSION_NOT_SUPPORTED, closed'], uws: { outcome: IDLE, why: UWS_IDLE } },
  { id: 'h2-preface', group: 'Request line', title: 'the HTTP/2 connection preface', rfc: 'RFC 9112 §2.3', level: 'SHOULD', request: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },
  // RFC 9110 §9.1: methods are case-sensitive; an unknown one SHOULD be answered 501.
  { id: 'method-lower-case', group: 'Request line', title: 'method `get`', rfc: 'RFC 9110 §9.1', level: 'SHOULD', request: get(HOST, '/en/products/db/1', 'HTTP/1.1', 'get'), expected: [REFUSED, '501 NOT_IMPLEMENTED, closed'], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'method-unknown', group: 'Request line', title: 'method `FOO`', rfc: 'RFC 9110 §9.1', level: 'SHOULD', request: get(HOST, '/en/products/db/1', 'HTTP/1.1', 'FOO'), expected: [REFUSED, '501 NOT_IMPLEMENTED, closed'], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'method-not-token', group: 'Request line', title: 'method `G(T` (not a token)', rfc: 'RFC 9110 §9.1', level: 'MUST', request: get(HOST, '/en/products/db/1', 'HTTP/1.1', 'G(T'), expected: [REFUSED], uws: { outcome: AT_ONCE, why: UWS_REFUSES } },
  { id: 'binary', group: 'Request line', title: 'binary bytes (a TLS ClientHello)', rfc: 'RFC 9112 §2.2', level: 'SHOULD', request: '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003', expected: [REFUSED], uws: { outcome: IDLE, why: UWS_IDLE } },

  // Connection: RFC 9112 §9.6 — a server that receives "close" "MUST initiate closure of the connection after it sends the final response".
  { id: 'connection-close', group: 'Connection', title: '`Connection: close`', rfc: 'RFC 9112 §9.6', level: 'MUST', request: get(`${HOST}Connection: close\r\n`), expected: [`${SERVED}, closed`] },
];

/** How long an exchange waits for an answer: past uWS's idle timeout (8–12 s). */
export const ANSWER_WAIT_MS = 15_000;
/** After an answer, how long to wait to see whether the server closes the connection. */
const CLOSE_WAIT_MS = 500;

function isServed(request: string, status: number, json: { code?: unknown; fields?: Array<{ field?: unknown }> } | undefined): boolean {
  if (request.startsWith('POST')) return status === 400 && json?.code === 'VALIDATION_FAILED' && json.fields?.[0]?.field === 'name';
  return status === 200;
}

/** Sends a case on a fresh connection to `port` and reduces what came back to its outcome. */
export async function observe(port: number, request: string): Promise<{ outcome: Outcome; ms: number }> {
  const connection = await RawConnection.open(port);
  const started = Date.now();
  try {
    connection.write(request);
    const response = await connection.response(ANSWER_WAIT_MS);
    const ms = Date.now() - started;
    if (!response) {
      if (!connection.closed) return { outcome: 'no answer', ms };
      if (ms < 2_000) return { outcome: AT_ONCE, ms };
      return { outcome: ms >= 5_000 ? IDLE : `closed after ${ms} ms, no answer`, ms };
    }
    const answer = isServed(request, response.status, response.json) ? SERVED : `${response.status} ${response.json?.code ?? '(not JSON)'}`;
    const closed = await connection.waitClosed(CLOSE_WAIT_MS);
    return { outcome: closed ? `${answer}, closed` : answer, ms };
  } finally {
    connection.destroy();
  }
}

/** The outcome `runtime` must show for `c`: its documented deviation, or undefined (one of the expected). */
export function deviationFor(c: ConformanceCase, runtime: RuntimeName): Deviation | undefined {
  return runtime === 'uws' ? c.uws : c.node;
}

/** Problems with what `runtime` answered to `c`, for an assertion message; empty when it conforms or deviates as documented. */
export function outcomeProblem(c: ConformanceCase, runtime: RuntimeName, outcome: Outcome): string | undefined {
  const deviation = deviationFor(c, runtime);
  if (deviation) {
    return outcome === deviation.outcome ? undefined : `${runtime} ${c.id}: documented as "${deviation.outcome}", observed "${outcome}"`;
  }
  return c.expected.includes(outcome) ? undefined : `${runtime} ${c.id}: expected ${c.expected.map((e) => `"${e}"`).join(' or ')}, observed "${outcome}"`;
}

const cell = (outcome: Outcome) => outcome.replace(/^(\d{3}) ([A-Z_]+)/, '$1 `$2`');

/** The conformance table and its summary, as Markdown, from the outcomes observed per runtime and case id. */
export function renderConformance(observed: Readonly<Record<RuntimeName, ReadonlyMap<string, Outcome>>>): string {
  const lines = [
    '| # | case | RFC | level | expected | fork | express | uws | where a runtime differs |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  let group = '';
  const differs = { node: 0, uws: 0 };
  const byLevel = new Map<Level, number>();
  CONFORMANCE_CASES.forEach((c, i) => {
    byLevel.set(c.level, (byLevel.get(c.level) ?? 0) + 1);
    if (c.group !== group) {
      group = c.group;
      lines.push(`| | **${group}** | | | | | | | |`);
    }
    const notes: string[] = [];
    if (c.node) {
      differs.node++;
      notes.push(`fork, express: ${c.node.why}`);
    }
    if (c.uws) {
      differs.uws++;
      notes.push(`uws: ${c.uws.why}`);
    }
    const at = (runtime: RuntimeName) => cell(observed[runtime].get(c.id) ?? 'not run');
    lines.push(`| ${i + 1} | ${c.title} | ${c.rfc} | ${c.level} | ${c.expected.map(cell).join(' or ')} | ${at('fork')} | ${at('express')} | ${at('uws')} | ${notes.join('; ')} |`);
  });
  const levels = (['MUST', 'SHOULD', 'MAY'] as const).map((l) => `${byLevel.get(l) ?? 0} ${l}`).join(', ');
  const summary = `${CONFORMANCE_CASES.length} cases (${levels}). fork and express answer ${CONFORMANCE_CASES.length - differs.node} as expected and differ on ${differs.node} (node's parser decides); uws answers ${CONFORMANCE_CASES.length - differs.uws} as expected and differs on ${differs.uws}, every one decided by uWS's C++ parser before JavaScript sees the request.`;
  return `${summary}\n\n${lines.join('\n')}\n`;
}

export const TABLE_START = '<!-- conformance table: written by test/e2e/runtimes/httpConformance.test.ts (UPDATE_CONFORMANCE_DOC=1), do not edit -->';
export const TABLE_END = '<!-- end of conformance table -->';

/** The table section of the document, between its markers; undefined when the markers are missing. */
export function tableSection(document: string): string | undefined {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) return undefined;
  return document.slice(start + TABLE_START.length, end).trim();
}

/** The document with its table section replaced. */
export function withTable(document: string, table: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  return `${document.slice(0, start + TABLE_START.length)}\n\n${table.trim()}\n\n${document.slice(end)}`;
}
