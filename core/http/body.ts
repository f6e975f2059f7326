import { AppError } from '../errors.js';

/** Largest request body accepted, in bytes; bigger ones get 413 before any parsing. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export function bodyTooLarge(): AppError {
  return new AppError('BODY_TOO_LARGE', `Request body too large: at most ${BODY_LIMIT_BYTES} bytes`, [
    { field: 'body', message: `must be at most ${BODY_LIMIT_BYTES} bytes` },
  ]);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('MALFORMED_BODY', `Malformed JSON body: ${(err as Error).message}`, [{ field: 'body', message: 'is not valid JSON' }]);
  }
}

function parseForm(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) fields[key] = value;
  return fields;
}

/**
 * The body of a write as fields. JSON and HTML forms are accepted. A body sent with a form content type
 * that is plainly JSON is read as JSON: the original demo's Postman collection posts its order that way.
 */
export function parseBody(contentType: string | undefined, body: Buffer): unknown {
  if (body.length > BODY_LIMIT_BYTES) throw bodyTooLarge();
  const text = body.toString('utf8');
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (text.trim() === '') return {};
  if (type === 'application/json' || type.endsWith('+json')) return parseJson(text);
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    return /^\s*[{[]/.test(text) ? parseJson(text) : parseForm(text);
  }
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Unsupported content type ${JSON.stringify(type)}: send application/json or application/x-www-form-urlencoded`, [
    { field: 'content-type', message: 'must be application/json or application/x-www-form-urlencoded' },
  ]);
}

/** Query string to a plain record; a repeated parameter is refused rather than guessed. */
export function parseQuery(query: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (query === '') return result;
  for (const [key, value] of new URLSearchParams(query)) {
    if (key in result) throw new AppError('VALIDATION_FAILED', `Invalid field(s): ${key}`, [{ field: key, message: 'is given more than once' }]);
    result[key] = value;
  }
  return result;
}
