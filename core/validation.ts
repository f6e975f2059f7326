import { z } from 'zod';
import { validationError, type FieldError } from './errors.js';
import { JsonNumber } from './JsonNumber.js';
import { parseMoney } from './money.js';

// Field types shared by the command schemas. Bodies come as JSON or as HTML forms (the original demo's
// Postman collection posts forms), so numbers may arrive as digit strings and are accepted as such.
// A number of a JSON body arrives as its text (a JsonNumber): each number field reads it by the rule it applies
// to a string, so 1.999999999999999999 is refused as a price whether it was sent as a number or a string.

/** A JSON number as the text it was written with; anything else as it is. */
const asWritten = (value: unknown): unknown => (value instanceof JsonNumber ? value.text : value);

const isBlank = (v: unknown) => v === undefined || v === null;

// String.prototype.isWellFormed (Node 20) is newer than the ES2022 library the build is typed against.
export function isWellFormed(value: string): boolean {
  return (value as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Characters as MySQL counts them in a utf8mb4 column: code points (an emoji is one, not two UTF-16 units). */
export function characterCount(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) { count--; i++; }
    }
  }
  return count;
}

/** Text trimmed of leading and trailing white space (String#trim's), at most `max` characters (code points). */
export function text(max: number, options: { allowEmpty?: boolean } = {}) {
  const base = z
    .string({ error: (issue) => (isBlank(issue.input) ? 'is required' : 'must be a string') })
    .trim()
    .refine((v) => v.length <= max || characterCount(v) <= max, `must be at most ${max} characters`);
  return options.allowEmpty ? base : base.min(1, 'must not be empty');
}

/** Digits only (a sign allowed, to say the bound it breaks): no fraction, no exponent, in a string or a JSON number. */
export function wholeNumber(min: number, max: number) {
  return z.preprocess(
    (v) => {
      const written = asWritten(v);
      return typeof written === 'string' && /^\s*-?\d{1,15}\s*$/.test(written) ? Number(written) : written;
    },
    z
      .number({ error: (issue) => (isBlank(issue.input) ? 'is required' : 'must be a whole number') })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
}

/** A decimal amount like "99.99" (or 99.99 in JSON, read as written: 1.005 and 1.999999999999999999 are refused), to integer cents. */
export function money(maxCents: number) {
  return z.preprocess(asWritten, z
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
    }));
}

const UNIX_SECONDS = /^\d{1,12}$/;
// ISO 8601 (RFC 3339's profile): a date, or a date and time with optional seconds and fraction, and an optional
// offset (none means UTC, the time zone of every stored timestamp).
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))?)?$/;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2999, 0, 1);
const TIMESTAMP_FORMAT = 'must be a Unix timestamp in seconds or an ISO 8601 date such as 2026-11-25 or 2026-11-25T16:46:13Z';

/** An ISO 8601 date or date-time as an instant; undefined unless every field is a real calendar value. */
function isoInstant(value: string): Date | undefined {
  const m = ISO_8601.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) => Number(part ?? 0)) as
    [number, number, number, number, number, number];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const fields = new Date(0);
  fields.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  fields.setUTCHours(hour, minute, second, millis);
  // Dates roll over (02-30 becomes 03-02, 24:61 the next day): a real instant reads back its own fields.
  if (fields.getUTCFullYear() !== year || fields.getUTCMonth() !== month - 1 || fields.getUTCDate() !== day ||
      fields.getUTCHours() !== hour || fields.getUTCMinutes() !== minute || fields.getUTCSeconds() !== second) {
    return undefined;
  }
  const [offsetHours, offsetMinutes] = [Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(fields.getTime() - offset);
}

/**
 * Unix seconds (digits only, as the Postman collection's {{$timestamp}} sends) or an ISO 8601 date or date-time
 * that is a real calendar instant (2026-02-30, 2026-13-01, 24:61 are refused), from 1970 to 2999, to a Date.
 */
export function timestamp() {
  return z.preprocess(asWritten, z
    .union([z.string(), z.number()], { error: TIMESTAMP_FORMAT })
    .transform((value, ctx) => {
      const text = String(value).trim();
      const date = UNIX_SECONDS.test(text) ? new Date(Number(text) * 1000) : isoInstant(text);
      if (date === undefined) {
        const message = ISO_8601.test(text) ? 'must be a real calendar date and time (e.g. no February 30, no hour 24)' : TIMESTAMP_FORMAT;
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      if (date.getTime() < EARLIEST || date.getTime() > LATEST) {
        ctx.addIssue({ code: 'custom', message: 'must be a timestamp from 1970-01-01T00:00:00Z to 2999-01-01T00:00:00Z' });
        return z.NEVER;
      }
      return date;
    }));
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

interface Visit {
  readonly value: unknown;
  readonly parent: Visit | undefined;
  readonly key: PropertyKey | undefined;
}

function pathOf(visit: Visit): string {
  const keys: PropertyKey[] = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) keys.push(v.key);
  return fieldPath(keys.reverse());
}

/**
 * Every string and field name, at any depth, that is not well-formed Unicode (a lone surrogate, as JSON's
 * "\ud800" gives): MySQL and Redis would store U+FFFD in its place, so the write would not be what was sent.
 * Iterative, so a deeply nested body cannot exhaust the stack.
 */
function illFormedFields(input: object): FieldError[] {
  const errors: FieldError[] = [];
  const queue: Visit[] = [{ value: input, parent: undefined, key: undefined }];
  for (let i = 0; i < queue.length; i++) {
    const visit = queue[i]!;
    const { value, key } = visit;
    if (typeof key === 'string' && !isWellFormed(key)) {
      errors.push({ field: pathOf(visit), message: 'is a field name that is not valid Unicode (it holds a lone surrogate)' });
    } else if (value instanceof JsonNumber) {
      continue; // digits only
    } else if (typeof value === 'string') {
      if (!isWellFormed(value)) errors.push({ field: pathOf(visit) || 'body', message: 'must be valid Unicode (it holds a lone surrogate)' });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => queue.push({ value: item, parent: visit, key: index }));
    } else if (value !== null && typeof value === 'object') {
      for (const [name, item] of Object.entries(value)) queue.push({ value: item, parent: visit, key: name });
    }
  }
  return errors;
}

/**
 * Parses `input` with `schema`; throws VALIDATION_FAILED with one entry per offending field. Text that is not
 * well-formed Unicode is refused first, wherever it is.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw validationError([{ field: 'body', message: 'must be an object of fields' }]);
  }
  const unicode = illFormedFields(input);
  if (unicode.length > 0) throw validationError(unicode);
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
