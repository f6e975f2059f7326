import { quote } from '../errorBounds.js';
import { AppError, validationError, type FieldError } from '../errors.js';
import { isWellFormed } from '../validation.js';
import { duplicateKeyPath } from './jsonKeys.js';
import { withNumberTexts } from './jsonNumbers.js';

/** Largest request body accepted, in bytes; bigger ones get 413 before any parsing. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export function bodyTooLarge(): AppError {
  return new AppError('BODY_TOO_LARGE', `Request body too large: at most ${BODY_LIMIT_BYTES} bytes`, [
    { field: 'body', message: `must be at most ${BODY_LIMIT_BYTES} bytes` },
  ]);
}

function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('MALFORMED_BODY', `Malformed JSON body: ${(err as Error).message}`, [{ field: 'body', message: 'is not valid JSON' }]);
  }
  const duplicate = duplicateKeyPath(text);
  if (duplicate !== undefined) throw validationError([{ field: duplicate, message: 'is given more than once' }]);
  return withNumberTexts(value, text);
}

/** Bodies are read as UTF-8: a declared charset that is not UTF-8 is refused rather than misread. */
function checkCharset(contentType: string): void {
  const declared = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType)?.[1]?.toLowerCase();
  if (declared === undefined || declared === 'utf-8' || declared === 'utf8') return;
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Unsupported charset ${quote(declared)}: send UTF-8`, [
    { field: 'content-type', message: 'charset must be utf-8 (or absent)' },
  ]);
}

// Strict UTF-8: bytes that are not UTF-8 are refused, never replaced by U+FFFD (as Buffer#toString and
// URLSearchParams do). A byte order mark is kept as content, as before.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const isHex = (byte: number) => (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66);

/**
 * One name or value of an urlencoded string, decoded as the WHATWG urlencoded parser does ('+' is a space, a '%'
 * not followed by two hex digits stays as it is), except that escapes which are not UTF-8 give undefined.
 */
function decodeComponent(raw: string): string | undefined {
  const text = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!isWellFormed(text)) return undefined;
  if (!text.includes('%')) return text;
  const bytes = Buffer.from(text, 'utf8');
  let length = 0;
  for (let i = 0; i < bytes.length; i++, length++) {
    if (bytes[i] === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]!) && isHex(bytes[i + 2]!)) {
      bytes[length] = Number.parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16);
      i += 2;
    } else {
      bytes[length] = bytes[i]!;
    }
  }
  try {
    return UTF8.decode(bytes.subarray(0, length));
  } catch {
    return undefined;
  }
}

/**
 * An urlencoded string (form body or query) to fields. The record has no prototype, so every name is an own
 * field (`__proto__`, `constructor` too) and an unknown one is refused like in JSON. A name given twice, or a
 * name or value whose escapes are not UTF-8, is refused rather than guessed.
 */
function parseUrlEncoded(text: string): Record<string, string> {
  const fields = Object.create(null) as Record<string, string>;
  const errors: FieldError[] = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const name = decodeComponent(rawName);
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    if (name === undefined) errors.push({ field: rawName, message: 'has a name that is not valid UTF-8 once percent-decoded' });
    else if (value === undefined) errors.push({ field: name, message: 'is not valid UTF-8 once percent-decoded' });
    else if (Object.hasOwn(fields, name)) errors.push({ field: name, message: 'is given more than once' });
    else fields[name] = value;
  }
  if (errors.length > 0) throw validationError(errors);
  return fields;
}

function decodeBody(body: Buffer): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw new AppError('MALFORMED_BODY', 'The request body is not valid UTF-8', [{ field: 'body', message: 'is not valid UTF-8' }]);
  }
}

/**
 * The body of a write as fields. JSON and HTML forms are accepted. A body sent with a form content type
 * that is plainly JSON is read as JSON: the original demo's Postman collection posts its order that way.
 */
export function parseBody(contentType: string | undefined, body: Buffer): unknown {
  if (body.length > BODY_LIMIT_BYTES) throw bodyTooLarge();
  if (contentType?.includes(';')) checkCharset(contentType);
  const text = decodeBody(body);
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (text.trim() === '') return {};
  if (type === 'application/json' || type.endsWith('+json')) return parseJson(text);
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    return /^\s*[{[]/.test(text) ? parseJson(text) : parseUrlEncoded(text);
  }
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Unsupported content type ${quote(type)}: send application/json or application/x-www-form-urlencoded`, [
    { field: 'content-type', message: 'must be application/json or application/x-www-form-urlencoded' },
  ]);
}

/** Refuses (400) a query string whose escapes are not UTF-8, on a route that reads no query parameter. */
export function checkQueryEncoding(query: string): void {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    for (const part of eq === -1 ? [pair] : [pair.slice(0, eq), pair.slice(eq + 1)]) {
      if (decodeComponent(part) === undefined) throw validationError([{ field: 'query', message: 'is not valid UTF-8 once percent-decoded' }]);
    }
  }
}

/** Query string to a record of own parameters; a repeated one, or one that is not UTF-8, is refused rather than guessed. */
export function parseQuery(query: string): Record<string, string> {
  return parseUrlEncoded(query);
}
