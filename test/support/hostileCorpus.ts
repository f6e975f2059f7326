import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RUNTIME_NAMES, type RuntimeName } from '../../runtimes/launcher.js';
import { headingAnchors } from './markdown.js';

// The hostile-request corpus (test/e2e/runtimes/hostile-requests.json): its shape, how a case becomes the bytes
// written on the socket, and what each runtime must answer. The JSON file is read from the source tree
// (tsc does not copy it into dist/).

/** Repository root, from dist/test/support/ where this module runs once compiled. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CORPUS_PATH = `${REPOSITORY_ROOT}test/e2e/runtimes/hostile-requests.json`;

export interface StructuredRequest {
  readonly method: string;
  /** The request target exactly as written on the request line (no encoding is applied). */
  readonly target: string;
  /** Default `HTTP/1.1`. */
  readonly version?: string;
  /** Sent in order after Host; an array value sends the header once per value. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** `false`: no Host header (otherwise `Host: 127.0.0.1` is sent first unless `headers` has one). */
  readonly host?: boolean;
  /** Body as text, sent as UTF-8 (JSON escapes such as `\ud800` stay escapes when written inside the string). */
  readonly body?: string;
  /** Body as a JSON value, serialised with JSON.stringify; adds `Content-Type: application/json` unless given. */
  readonly json?: unknown;
  /** Body as bytes (for invalid UTF-8, compressed bodies). */
  readonly bodyBase64?: string;
  /** Body made of texts and runs of a text repeated `times` times, joined (large or deeply nested bodies). */
  readonly bodyParts?: ReadonlyArray<string | { readonly repeat: string; readonly times: number }>;
  /**
   * Headers `name`/`value` sent `count` times, `{i}` replaced by 1…count (many headers); `valueTimes` repeats the
   * value that many times (one large header).
   */
  readonly headerRepeat?: { readonly name: string; readonly value: string; readonly count: number; readonly valueTimes?: number };
  /** Send the body with Transfer-Encoding: chunked, in chunks of this many bytes. */
  readonly chunked?: number;
  /** With `chunked`: leave out the last (zero) chunk, so the body never ends. */
  readonly unterminated?: boolean;
}

export interface Expectation {
  readonly status: number;
  /** The JSON error code; several when the contract leaves the choice between them open. */
  readonly code: string | readonly string[];
  /** A `fields[].field` the answer must name. */
  readonly field?: string;
  /** Methods the Allow header must list (405). */
  readonly allow?: readonly string[];
}

/** A documented library limit: the runtime closes the connection without a status line. */
export interface ClosedWithoutStatus {
  readonly closedWithoutStatus: true;
  /** Where the limit is documented, with its figures: a Markdown file and heading (`docs/operations.md#known-limits`). */
  readonly limit: string;
}

export type RuntimeExpectation = Expectation | ClosedWithoutStatus;

export interface HostileCase {
  readonly name: string;
  /** The class of hostility (several cases each): failures are reported by class. */
  readonly class: string;
  /** Raw request as text: every character is one byte (latin1), so `\u00ff` is the byte 0xFF. */
  readonly request: string | StructuredRequest;
  readonly expect: Expectation;
  readonly fork?: RuntimeExpectation;
  readonly express?: RuntimeExpectation;
  readonly uws?: RuntimeExpectation;
}

export interface Corpus {
  readonly about: readonly string[];
  readonly cases: readonly HostileCase[];
}

export function loadCorpus(path = CORPUS_PATH): Corpus {
  return JSON.parse(readFileSync(path, 'utf8')) as Corpus;
}

/** What `runtime` must answer to `hostile`: its override when there is one, else the common expectation. */
export function expectationFor(hostile: HostileCase, runtime: RuntimeName): RuntimeExpectation {
  return hostile[runtime] ?? hostile.expect;
}

export function isClosedWithoutStatus(expectation: RuntimeExpectation): expectation is ClosedWithoutStatus {
  return (expectation as ClosedWithoutStatus).closedWithoutStatus === true;
}

const hasHeader = (headers: Readonly<Record<string, unknown>>, name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);

function bodyOf(request: StructuredRequest): Buffer | undefined {
  const given = [request.body, request.json, request.bodyBase64, request.bodyParts].filter((b) => b !== undefined);
  if (given.length > 1) throw new Error(`${request.method} ${request.target}: give one of body, json, bodyBase64, bodyParts`);
  if (request.body !== undefined) return Buffer.from(request.body, 'utf8');
  if (request.json !== undefined) return Buffer.from(JSON.stringify(request.json), 'utf8');
  if (request.bodyBase64 !== undefined) return Buffer.from(request.bodyBase64, 'base64');
  if (request.bodyParts !== undefined) {
    return Buffer.from(request.bodyParts.map((part) => (typeof part === 'string' ? part : part.repeat.repeat(part.times))).join(''), 'utf8');
  }
  return undefined;
}

/** The bytes a case writes on the socket. */
export function requestBytes(request: string | StructuredRequest): Buffer {
  if (typeof request === 'string') {
    for (let i = 0; i < request.length; i++) {
      if (request.charCodeAt(i) > 0xff) throw new Error(`raw request has a character above \\u00ff at ${i}: write its UTF-8 bytes as \\u00XX`);
    }
    return Buffer.from(request, 'latin1');
  }
  const headers = request.headers ?? {};
  const lines: string[] = [`${request.method} ${request.target} ${request.version ?? 'HTTP/1.1'}`];
  if (request.host !== false && !hasHeader(headers, 'host')) lines.push('Host: 127.0.0.1');
  for (const [name, value] of Object.entries(headers)) {
    for (const v of typeof value === 'string' ? [value] : value) lines.push(`${name}: ${v}`);
  }
  if (request.headerRepeat) {
    const { name, value, count, valueTimes = 1 } = request.headerRepeat;
    for (let i = 1; i <= count; i++) lines.push(`${name.replaceAll('{i}', String(i))}: ${value.replaceAll('{i}', String(i)).repeat(valueTimes)}`);
  }
  const body = bodyOf(request);
  if (request.json !== undefined && !hasHeader(headers, 'content-type')) lines.push('Content-Type: application/json');
  let payload = body ?? Buffer.alloc(0);
  if (request.chunked !== undefined) {
    if (!hasHeader(headers, 'transfer-encoding')) lines.push('Transfer-Encoding: chunked');
    const chunks: Buffer[] = [];
    for (let at = 0; at < payload.length; at += request.chunked) {
      const chunk = payload.subarray(at, at + request.chunked);
      chunks.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n', 'latin1'));
    }
    if (!request.unterminated) chunks.push(Buffer.from('0\r\n\r\n', 'latin1'));
    payload = Buffer.concat(chunks);
  } else if (body !== undefined && !hasHeader(headers, 'content-length') && !hasHeader(headers, 'transfer-encoding')) {
    lines.push(`Content-Length: ${body.length}`);
  }
  // Header text as latin1 bytes: a target or header value with \u00XX characters writes those bytes.
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

/** Problems with the corpus file itself (shape, names, expectations); empty when it is sound. */
export function corpusProblems(corpus: Corpus): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const [i, c] of corpus.cases.entries()) {
    const at = `case ${i} (${c.name ?? 'no name'})`;
    if (typeof c.name !== 'string' || c.name === '') problems.push(`${at}: no name`);
    if (names.has(c.name)) problems.push(`${at}: name used twice`);
    names.add(c.name);
    if (typeof c.class !== 'string' || c.class === '') problems.push(`${at}: no class`);
    const expectations: Array<[string, RuntimeExpectation | undefined]> = [['expect', c.expect], ...RUNTIME_NAMES.map((r): [string, RuntimeExpectation | undefined] => [r, c[r]])];
    for (const [where, e] of expectations) {
      if (e === undefined) {
        if (where === 'expect') problems.push(`${at}: no expect`);
        continue;
      }
      if (isClosedWithoutStatus(e)) {
        if (where === 'expect') problems.push(`${at}: closedWithoutStatus is a per-runtime override, never the contract`);
        if (!/^[\w./-]+\.md#[\w-]+$/.test(e.limit ?? '')) problems.push(`${at}: ${where} closedWithoutStatus without a <file>.md#anchor limit`);
        continue;
      }
      if (!Number.isInteger(e.status) || e.status < 400 || e.status > 599) problems.push(`${at}: ${where} status ${String(e.status)} is not an error status`);
      const codes = typeof e.code === 'string' ? [e.code] : e.code;
      if (!Array.isArray(codes) || codes.length === 0 || codes.some((code) => typeof code !== 'string' || !/^[A-Z_]+$/.test(code))) {
        problems.push(`${at}: ${where} has no error code`);
      }
    }
    try {
      requestBytes(c.request);
    } catch (err) {
      problems.push(`${at}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** The documented-limit overrides whose `<file>.md#anchor` names no heading of that file (under `root`). */
export function missingLimitAnchors(corpus: Corpus, root = REPOSITORY_ROOT): string[] {
  const missing: string[] = [];
  for (const c of corpus.cases) {
    for (const runtime of RUNTIME_NAMES) {
      const e = c[runtime];
      if (!e || !isClosedWithoutStatus(e)) continue;
      const [file, anchor] = e.limit.split('#') as [string, string | undefined];
      const path = `${root}${file}`;
      if (!existsSync(path) || !headingAnchors(readFileSync(path, 'utf8')).has(anchor ?? '')) missing.push(`${runtime}: ${c.name} → ${e.limit}`);
    }
  }
  return missing;
}
