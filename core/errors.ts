// Every error the application answers with, as a stable code, an HTTP status and a message.
// Checks use `code`, never `instanceof`, so they hold across module copies (undici's habit).

export interface FieldError {
  /** Path of the offending field, e.g. `price` or `items[1].quantity`. */
  readonly field: string;
  readonly message: string;
}

export const ErrorCodes = {
  VALIDATION_FAILED: { status: 400, message: 'Invalid request' },
  MALFORMED_BODY: { status: 400, message: 'Malformed request body' },
  MALFORMED_REQUEST: { status: 400, message: 'Malformed HTTP request' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time' },
  BODY_TOO_LARGE: { status: 413, message: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  HEADERS_TOO_LARGE: { status: 431, message: 'Request headers too large' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  CONFLICT: { status: 409, message: 'Conflict' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service unavailable' },
  QUERY_TIMEOUT: { status: 503, message: 'The database query took too long and was stopped' },
  WORKER_DIED: { status: 502, message: 'The worker died while handling the request' },
  WORKER_TIMEOUT: { status: 504, message: 'The worker took too long and was stopped' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  /** For METHOD_NOT_ALLOWED: the methods the path does answer (the Allow header). */
  allow?: string;

  constructor(
    readonly code: ErrorCode,
    message: string = ErrorCodes[code].message,
    readonly fields: readonly FieldError[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = ErrorCodes[code].status;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof Error && typeof (error as AppError).code === 'string' && (error as AppError).code in ErrorCodes;
}

export function validationError(fields: readonly FieldError[]): AppError {
  const names = [...new Set(fields.map((f) => f.field))].join(', ');
  return new AppError('VALIDATION_FAILED', `Invalid field(s): ${names}`, fields);
}

export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): AppError {
  const error = new AppError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`);
  error.allow = allowed.join(', ');
  return error;
}

export function notFound(entity: string, id: number | string): AppError {
  return new AppError('NOT_FOUND', `${entity} ${id} not found`);
}

// Error codes of the drivers that mean "the backing service cannot be reached" rather than a bug.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
]);

/** True when an error from mysql2, knex or ioredis says the service is down or unreachable. */
export function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const err = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof err.code === 'string' && UNAVAILABLE_CODES.has(err.code)) return true;
    if (typeof err.message === 'string') {
      const m = err.message;
      if (m.includes('Connection is closed') || m.includes("Stream isn't writeable") ||
          m.includes('Reached the max retries') || m.includes('Knex: Timeout acquiring a connection') ||
          m.includes('connect ECONNREFUSED') || m.includes('Connection lost')) {
        return true;
      }
    }
    if (Array.isArray((err as { errors?: unknown[] }).errors)) {
      // AggregateError from net.connect trying several addresses
      if ((err as { errors: unknown[] }).errors.some(isUnavailable)) return true;
    }
  }
  return false;
}

/** Any thrown value as an AppError: the route table answers with its status and message, never a stack. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isUnavailable(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'A backing service (MySQL or Redis) is unavailable', [], { cause: error });
  }
  return new AppError('INTERNAL', 'Internal error', [], { cause: error });
}
