import type { Application } from '../app.js';

/** A request as every runtime hands it to the route table: framework-neutral. */
export interface HttpRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/en/products/db/3`. */
  readonly path: string;
  /** Raw query string without `?` (may be empty). */
  readonly query: string;
  readonly contentType: string | undefined;
  /** The Content-Encoding header as sent (only identity, or none, is accepted: anything else is a 415). */
  readonly contentEncoding?: string | undefined;
  /** Raw body bytes (empty when none, or when it was too large to read). */
  readonly body: Buffer;
  /**
   * Why the adapter has no body to give: over the limit (the pipeline answers 413), not all arrived within the
   * request timeout (408), or reading it failed (400). The adapter closes the connection after answering.
   */
  readonly bodyUnread?: 'too-large' | 'timeout' | 'failed';
  /**
   * Every Idempotency-Key header value, as sent and in order; undefined when there is none. The adapters need only
   * set it on writes (POST, PUT, DELETE): only the command routes read it (core/http/idempotency.ts).
   */
  readonly idempotencyKey?: readonly string[];
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Where a route's data comes from: the metrics label that separates MySQL reads from Redis reads. */
export type RouteSource = 'db' | 'redis' | 'none';

export interface RequestContext {
  readonly app: Application;
  /** The runtime's /metrics text (a multi-process runtime aggregates its workers). */
  readonly metricsText: () => Promise<{ contentType: string; body: string }>;
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path pattern with `:name` parameters, in the syntax Express and uWebSockets.js share. */
  readonly pattern: string;
  readonly source: RouteSource;
  /** Whether the handler reads the request body (the adapters skip reading it otherwise). */
  readonly hasBody: boolean;
  /** Whether the handler reads query parameters; on the other routes a query is ignored, once checked to be UTF-8. */
  readonly readsQuery?: boolean;
  readonly handler: (request: HttpRequest, params: Readonly<Record<string, string>>, context: RequestContext) => Promise<HttpResponse>;
}

/** A request as it goes through the pipeline: what matched, and the context its handler will get. */
export interface RequestScope {
  readonly request: HttpRequest;
  /** Undefined until matched (and for a request no route matches). */
  route: Route | undefined;
  params: Readonly<Record<string, string>>;
  context: RequestContext;
}

/** What a runtime plugs into the request pipeline (metrics, fork's per-request bootstrap, the fork master's hand-over). */
export interface PipelineHook {
  /** As a request arrives, before matching; returns what to call once it has been answered. */
  readonly onRequest?: (request: HttpRequest) => ((scope: RequestScope, response: HttpResponse) => void) | undefined;
  /** After matching, before the handler: may replace the context, or answer instead of the handler. */
  readonly preHandler?: (scope: RequestScope) => Promise<HttpResponse | undefined> | HttpResponse | undefined;
  /** After the response is decided (the handler's or the error's), whatever happened: e.g. close what preHandler opened. */
  readonly onResponse?: (scope: RequestScope, response: HttpResponse) => Promise<void> | void;
}
