import { createHash } from 'node:crypto';
import type { Application } from '../app.js';
import type { IdempotentCommand, KeyAlreadyUsed, StoredCommand } from '../commands/IdempotencyStore.js';
import { AppError, validationError } from '../errors.js';
import { json, JSON_HEADERS } from './responses.js';
import type { HttpRequest, HttpResponse } from './types.js';

// The Idempotency-Key header of commands (IETF httpapi draft "The Idempotency-Key HTTP Header Field"; Stripe's API
// sends the same header unquoted). A command sent with a key records its answer under it, in its own transaction
// (core/commands/IdempotencyStore.ts); a retry with the same key and the same request gets that answer back, byte for
// byte, with `Idempotent-Replayed: true`, and writes nothing. docs/api.md, "Idempotent commands".

/** The header, as named in errors. */
export const IDEMPOTENCY_KEY = 'Idempotency-Key';
/** The header a replayed answer carries (Stripe's name). */
export const REPLAYED_HEADER = 'idempotent-replayed';
export const MAX_KEY_LENGTH = 255;

const REPLAY_HEADERS = Object.freeze({ ...JSON_HEADERS, [REPLAYED_HEADER]: 'true' });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function refused(message: string): AppError {
  return validationError([{ field: IDEMPOTENCY_KEY, message }]);
}

/** The content of a Structured Field sf-string (RFC 8941 §3.3.3), `value` starting with its opening quote. */
function unquote(value: string): string {
  let key = '';
  for (let i = 1; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const escaped = value[++i];
      if (escaped !== '"' && escaped !== '\\') throw refused('has a backslash that escapes neither " nor \\ in its quoted string');
      key += escaped;
    } else if (c === '"') {
      if (i !== value.length - 1) throw refused('must be one quoted string or one unquoted key: nothing may follow the closing quote');
      return key;
    } else {
      key += c;
    }
  }
  throw refused('has a quoted string without its closing quote');
}

/**
 * The key the Idempotency-Key header values name: a Structured Field sf-string (`"8e03…"`, as the draft sends it)
 * or the key unquoted (as Stripe's clients send it) — `"abc"` and `abc` are one key — of 1 to 255 printable ASCII
 * characters. The header given more than once, or a value that is no such key, is a 400 naming the header.
 */
export function parseIdempotencyKey(values: readonly string[]): string {
  if (values.length !== 1) throw refused(`is given ${values.length} times; send it once`);
  const value = values[0]!.replace(/^[ \t]+|[ \t]+$/g, '');
  const key = value.charCodeAt(0) === 0x22 /* " */ ? unquote(value) : value;
  if (key.length === 0) throw refused(`is empty; send a key of 1 to ${MAX_KEY_LENGTH} printable ASCII characters`);
  if (!PRINTABLE_ASCII.test(key)) throw refused('must be printable ASCII (space to ~, no control character, nothing beyond ASCII)');
  if (key.length > MAX_KEY_LENGTH) throw refused(`is ${key.length} characters long; at most ${MAX_KEY_LENGTH}`);
  return key;
}

/** What a key is bound to: SHA-256 (hex) of the method, the path as sent, the content type as sent and the raw body. */
export function requestFingerprint(request: HttpRequest): string {
  return createHash('sha256')
    .update(`${request.method}\0${request.path}\0${request.contentType ?? ''}\0`)
    .update(request.body)
    .digest('hex');
}

/** The recorded answer again, byte for byte, when it was recorded for this same request; else 422. */
function replay(stored: StoredCommand, fingerprint: string): HttpResponse {
  if (stored.fingerprint !== fingerprint) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was first used for another request', [
      { field: IDEMPOTENCY_KEY, message: 'was first sent with another request (method, path, content type or body); send a new key for a new request' },
    ]);
  }
  return { status: stored.answer.status, headers: REPLAY_HEADERS, body: stored.answer.body };
}

/**
 * A command route's answer: `status` with `body(result)` as JSON. Without an Idempotency-Key, the command runs.
 * With one, the command's transaction claims the key first: a key already recorded (and not expired) stops it
 * there, before any write, and its record is the answer; otherwise the command runs and records its answer in its
 * transaction. A request that meets a key in flight waits for it (its transaction waits on the key's row lock) and
 * then replays its answer, or runs itself if the first one failed (a failed command records nothing). No read
 * ahead of the transaction: it would cost every first use of a key a round trip to save a retry one.
 */
export async function answerCommand<R>(
  request: HttpRequest,
  app: Application,
  status: number,
  body: (result: R) => unknown,
  run: (idempotent?: IdempotentCommand<R>) => Promise<R>,
): Promise<HttpResponse> {
  if (request.idempotencyKey === undefined) return json(status, body(await run()));
  const key = parseIdempotencyKey(request.idempotencyKey);
  const fingerprint = requestFingerprint(request);
  let answer: HttpResponse | undefined;
  try {
    // The answer is made in the transaction (to be recorded there); the last one made is the committed one.
    await run({ key, fingerprint, answer: (result) => (answer = json(status, body(result))) });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'IDEMPOTENCY_KEY_USED') throw err;
    return replay((err as KeyAlreadyUsed).stored, fingerprint);
  }
  return answer!;
}
