import { boundFields, clip, MAX_MESSAGE_LENGTH } from '../errorBounds.js';
import { toAppError } from '../errors.js';
import type { HttpResponse } from './types.js';

export const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json; charset=utf-8' });

export function json(status: number, body: unknown): HttpResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

/** A JSON body already serialised (the same headers as `json`). */
export function jsonText(status: number, body: string): HttpResponse {
  return { status, headers: JSON_HEADERS, body };
}

/**
 * The one place an error becomes a response: status and message of its code, never a stack, and bounded (core/
 * errorBounds.ts): at most MAX_FIELD_ERRORS fields, then `more`, the number left out.
 */
export function errorResponse(error: unknown): HttpResponse {
  const e = toAppError(error);
  let headers: Readonly<Record<string, string>> = JSON_HEADERS;
  if (e.code === 'METHOD_NOT_ALLOWED' && e.allow) headers = { ...JSON_HEADERS, allow: e.allow };
  else if (e.retryAfterSeconds !== undefined) headers = { ...JSON_HEADERS, 'retry-after': String(e.retryAfterSeconds) };
  const { fields, more } = boundFields(e.fields);
  const body = { error: clip(e.message, MAX_MESSAGE_LENGTH), code: e.code, ...(fields.length > 0 && { fields }), ...(more > 0 && { more }) };
  return { status: e.status, headers, body: JSON.stringify(body) };
}
