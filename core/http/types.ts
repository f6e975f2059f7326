import type { Application } from '../app.js';

/** A request as every runtime hands it to the route table: framework-neutral. */
export interface HttpRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/en/products/db/3`. */
  readonly path: string;
  /** Raw query string without `?` (may be empty). */
  readonly query: string;
  readonly contentType: string | undefined;
  /** Raw body bytes (empty when none). */
  readonly body: Buffer;
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
  readonly handler: (request: HttpRequest, params: Readonly<Record<string, string>>, context: RequestContext) => Promise<HttpResponse>;
}
