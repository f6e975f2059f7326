// Every error the application answers with, as a stable code, an HTTP status and a message.
// Checks use `code`, never `instanceof`, so they hold across module copies (undici's habit).
import { clip, listNames } from './errorBounds.js';

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
  NOT_IMPLEMENTED: { status: 501, message: 'Not implemented' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  CONFLICT: { status: 409, message: 'Conflict' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'The Idempotency-Key was first used for another request' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service unavailable' },
  QUERY_TIMEOUT: { status: 503, message: 'The database query took too long and was stopped' },
  READ_MODEL_REBUILDING: { status: 503, message: 'The read model is being rebuilt' },
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
  /** For a 503 that will pass by itself: when to try again (the Retry-After header, in seconds). */
  retryAfterSeconds?: number;

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
  return new AppError('VALIDATION_FAILED', `Invalid field(s): ${listNames(fields.map((f) => f.field))}`, fields);
}

export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): AppError {
  const error = new AppError('METHOD_NOT_ALLOWED', `${clip(method)} is not allowed on ${clip(path)}; use ${allowed.join(', ')}`);
  error.allow = allowed.join(', ');
  return error;
}

/**
 * The read model cannot answer this read truthfully now: Redis was emptied or holds another write model's or
 * encoding's projections, and a rebuild is under way. The projection routes answer from MySQL instead; only a read
 * MySQL cannot serve (an offset deeper than DB_MAX_OFFSET) reaches the client, as a 503 with Retry-After.
 */
export function readModelRebuilding(detail: string): AppError {
  const error = new AppError('READ_MODEL_REBUILDING', `The read model is being rebuilt (${detail}); retry shortly`);
  error.retryAfterSeconds = 1;
  return error;
}

export function notFound(entity: string, id: number | string): AppError {
  return new AppError('NOT_FOUND', `${entity} ${clip(String(id))} not found`);
}

// Server errors (MySQL/MariaDB codes) that say the server cannot serve now: shutting down, the connection killed,
// out of connections, read-only during a failover, a lock that could not be had (the command can be retried).
const MYSQL_UNAVAILABLE_CODES = new Set([
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

// Socket errors, also when a driver copies the code onto an error of its own (no syscall then).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

const SOCKET_SYSCALLS = new Set(['connect', 'read', 'write', 'writev', 'shutdown', 'getaddrinfo', 'queryA', 'queryAaaa']);

// Redis replies that say "not now": loading its data set after a restart, a replica without its master, a cluster
// resharding or down, a script busy.
const REDIS_UNAVAILABLE_REPLIES = /^(LOADING|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|BUSY|NOREPLICAS)\b/;

// ioredis rejects a command on a closed connection with plain Errors, named only by their text.
const REDIS_CLOSED_MESSAGES = ['Connection is closed', "Stream isn't writeable", 'Reached the max retries'];

type DriverError = { code?: unknown; message?: unknown; name?: unknown; fatal?: unknown; syscall?: unknown; errors?: unknown };

/** One error (not its causes): does it say that a backing service is down, unreachable or cannot serve now? */
function saysUnavailable(err: DriverError): boolean {
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = typeof err.message === 'string' ? err.message : '';
  // mysql2 marks every error that leaves its connection unusable `fatal` (lost, closed, killed, failed handshake),
  // including the ones knex meets afterwards on the same connection (a ROLLBACK on a closed connection).
  if (err.fatal === true) return true;
  // A system error of a socket (connect, read, write, name lookup): the service cannot be reached.
  if (typeof err.syscall === 'string' && SOCKET_SYSCALLS.has(err.syscall) && code?.startsWith('E')) return true;
  if (code && (MYSQL_UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code))) return true;
  if (err.name === 'KnexTimeoutError' || err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true;
  if (err.name === 'ReplyError' && REDIS_UNAVAILABLE_REPLIES.test(message)) return true;
  if (REDIS_CLOSED_MESSAGES.some((m) => message.includes(m))) return true;
  // AggregateError from net.connect trying several addresses
  return Array.isArray(err.errors) && err.errors.some((e) => isUnavailable(e));
}

/**
 * True when an error from mysql2, knex or ioredis says a backing service is down, unreachable or cannot serve now,
 * rather than a bug: classified by kind (mysql2's `fatal` flag, socket system errors, server codes, driver error
 * classes), looking through `cause` chains.
 */
export function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (saysUnavailable(e as DriverError)) return true;
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
