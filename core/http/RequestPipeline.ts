import { quote } from '../errorBounds.js';
import { AppError, toAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { bodyTooLarge, checkQueryEncoding } from './body.js';
import { DEBUG_ROUTES } from './debugRoutes.js';
import { errorResponse } from './responses.js';
import { Router } from './router.js';
import { ROUTES } from './routes.js';
import type { HttpRequest, HttpResponse, PipelineHook, RequestContext, RequestScope, Route } from './types.js';

/** A route the runtime's own router (Express, uWS) matched, with its parameters decoded or as sent. */
export type FrameworkMatch =
  | { readonly route: Route; readonly params: Readonly<Record<string, string>> }
  | { readonly route: Route; readonly encodedParams: readonly string[] };

export interface PipelineOptions {
  /** The context handlers get, unless a preHandler hook gives one of its own (fork's per-request bootstrap). */
  readonly context: RequestContext;
  readonly hooks?: readonly PipelineHook[];
  readonly logger: Logger;
  readonly debugRoutes?: boolean;
}

type Finish = (scope: RequestScope, response: HttpResponse) => void;

/** Bodies are taken as sent: a compressed body is refused, whatever the runtime's framework could inflate. */
function refusedEncoding(encoding: string | undefined): AppError | undefined {
  if (encoding === undefined || encoding.trim().toLowerCase() === 'identity' || encoding.trim() === '') return undefined;
  return new AppError('UNSUPPORTED_MEDIA_TYPE', `Unsupported content encoding ${quote(encoding)}: send the body uncompressed`, [
    { field: 'content-encoding', message: 'must be identity (or absent)' },
  ]);
}

function unreadBody(reason: NonNullable<HttpRequest['bodyUnread']>): AppError {
  if (reason === 'too-large') return bodyTooLarge();
  if (reason === 'timeout') return new AppError('REQUEST_TIMEOUT', 'The request body did not arrive in time', [{ field: 'body', message: 'did not all arrive within the request timeout' }]);
  return new AppError('MALFORMED_BODY', 'The request body could not be read', [{ field: 'body', message: 'could not be read (the upload was cut or malformed)' }]);
}

/**
 * The onRequest hooks as one function, built once: this runs on every request, so the common cases (none, one,
 * two hooks) allocate nothing beyond what the hooks themselves return.
 */
function composeStarters(starters: ReadonlyArray<NonNullable<PipelineHook['onRequest']>>): (request: HttpRequest) => Finish | undefined {
  if (starters.length === 0) return () => undefined;
  if (starters.length === 1) return starters[0]!;
  if (starters.length === 2) {
    const [first, second] = starters as [NonNullable<PipelineHook['onRequest']>, NonNullable<PipelineHook['onRequest']>];
    return (request) => {
      const a = first(request);
      const b = second(request);
      if (!a) return b;
      if (!b) return a;
      return (scope, response) => { a(scope, response); b(scope, response); };
    };
  }
  return (request) => {
    const finishers = starters.map((start) => start(request)).filter((f): f is Finish => f !== undefined);
    return (scope, response) => { for (const finish of finishers) finish(scope, response); };
  };
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The one way a request is answered, on every runtime: match → preHandler hooks → handler → one error
 * mapper → onResponse hooks. The adapters only translate their framework's request and response; this is
 * the only try/catch of the request path, and metrics start and finish here (through hooks).
 */
export class RequestPipeline {
  readonly routes: readonly Route[];
  readonly router: Router;
  private readonly start: (request: HttpRequest) => Finish | undefined;
  private readonly preHandlers: ReadonlyArray<NonNullable<PipelineHook['preHandler']>>;
  private readonly responders: ReadonlyArray<NonNullable<PipelineHook['onResponse']>>;

  constructor(private readonly options: PipelineOptions) {
    this.routes = options.debugRoutes ? [...DEBUG_ROUTES, ...ROUTES] : ROUTES;
    this.router = new Router(this.routes);
    const hooks = options.hooks ?? [];
    this.start = composeStarters(hooks.flatMap((h) => (h.onRequest ? [h.onRequest] : [])));
    this.preHandlers = hooks.flatMap((h) => (h.preHandler ? [h.preHandler] : []));
    this.responders = hooks.flatMap((h) => (h.onResponse ? [h.onResponse] : []));
  }

  /** Answers a request; `match` is given when the framework's router already matched it. Never rejects. */
  async handle(request: HttpRequest, match?: FrameworkMatch): Promise<HttpResponse> {
    const finish = this.start(request);
    const scope: RequestScope = { request, route: undefined, params: NO_PARAMS, context: this.options.context };
    let response: HttpResponse | undefined;
    try {
      if (match) {
        scope.route = match.route;
        scope.params = 'params' in match ? match.params : this.router.decode(match.route, match.encodedParams);
      } else {
        const found = this.router.match(request.method, request.path);
        scope.route = found.route;
        scope.params = found.params;
      }
      if (request.query !== '' && !scope.route.readsQuery) checkQueryEncoding(request.query);
      const encodingError = refusedEncoding(request.contentEncoding);
      if (encodingError) throw encodingError;
      if (request.bodyUnread) throw unreadBody(request.bodyUnread);
      for (const preHandler of this.preHandlers) {
        response = await preHandler(scope);
        if (response) break;
      }
      response ??= await scope.route.handler(request, scope.params, scope.context);
    } catch (err) {
      response = this.answerError(err, scope);
    }
    for (const onResponse of this.responders) {
      try {
        await onResponse(scope, response);
      } catch (err) {
        this.options.logger.error('an onResponse hook failed', { err, method: request.method, path: request.path });
      }
    }
    finish?.(scope, response);
    return response;
  }

  private answerError(err: unknown, scope: RequestScope): HttpResponse {
    const error = toAppError(err);
    // Only a bug is logged: a 4xx is the client's, a 503 is the service's and is seen on /healthz.
    if (error.code === 'INTERNAL') {
      this.options.logger.error('request failed', { err, method: scope.request.method, path: scope.request.path, route: scope.route?.pattern });
    }
    return errorResponse(error);
  }
}
