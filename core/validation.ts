import { z } from 'zod';
import { validationError, type FieldError } from './errors.js';
import { parseMoney } from './money.js';

// Field types shared by the command schemas. Bodies come as JSON or as HTML forms (the original demo's
// Postman collection posts forms), so numbers may arrive as digit strings and are accepted as such.

const isBlank = (v: unknown) => v === undefined || v === null;

export function text(max: number, options: { allowEmpty?: boolean } = {}) {
  const base = z
    .string({ error: (issue) => (isBlank(issue.input) ? 'is required' : 'must be a string') })
    .trim()
    .max(max, `must be at most ${max} characters`);
  return options.allowEmpty ? base : base.min(1, 'must not be empty');
}

export function wholeNumber(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d{1,15}\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: (issue) => (isBlank(issue.input) ? 'is required' : 'must be a whole number') })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
}

/** A decimal amount like "99.99" (or 99.99 in JSON), to integer cents. */
export function money(maxCents: number) {
  return z
    .union([z.string(), z.number()], { error: (issue) => (isBlank(issue.input) ? 'is required' : 'must be a decimal amount such as "99.99"') })
    .transform((value, ctx) => {
      const cents = parseMoney(value);
      if (cents === null) {
        ctx.addIssue({ code: 'custom', message: 'must be a decimal amount with at most 2 decimals, such as "99.99"' });
        return z.NEVER;
      }
      if (cents > maxCents) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${(maxCents / 100).toFixed(2)}` });
        return z.NEVER;
      }
      return cents;
    });
}

/** Unix seconds (as the Postman collection's {{$timestamp}} sends) or an ISO 8601 date, to a Date. */
export function timestamp() {
  return z
    .union([z.string(), z.number()], { error: 'must be a Unix timestamp in seconds or an ISO 8601 date' })
    .transform((value, ctx) => {
      const text = String(value).trim();
      const date = /^\d{1,12}$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
      const time = date.getTime();
      if (!Number.isFinite(time) || time < Date.UTC(1970, 0, 1) || time > Date.UTC(2999, 0, 1)) {
        ctx.addIssue({ code: 'custom', message: 'must be a Unix timestamp in seconds or an ISO 8601 date' });
        return z.NEVER;
      }
      return date;
    });
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: fieldPath([...issue.path, key]), message: 'is not a known field' });
    } else {
      errors.push({ field: fieldPath(issue.path) || 'body', message: issue.message });
    }
  }
  return errors;
}

/** Parses `input` with `schema`; throws VALIDATION_FAILED with one entry per offending field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw validationError([{ field: 'body', message: 'must be an object of fields' }]);
  }
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(toFieldErrors(result.error.issues));
  return result.data;
}

/** A route parameter `:id`, a positive whole number. */
export function parseId(raw: string | undefined, field = 'id'): number {
  if (raw === undefined || !/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > 4_294_967_295) {
    throw validationError([{ field, message: 'must be a positive whole number' }]);
  }
  return Number(raw);
}
