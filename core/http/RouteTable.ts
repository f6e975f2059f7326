import type { RuntimeMetrics } from '../metrics/RuntimeMetrics.js';
import { DEBUG_ROUTES } from './debugRoutes.js';
import { Router } from './router.js';
import { errorResponse, ROUTES } from './routes.js';
import type { HttpRequest, HttpResponse, RequestContext, Route } from './types.js';

/**
 * The routes a runtime mounts, and the one way a request is answered and counted. Runtimes with a router
 * of their own (Express, uWS) register `routes` natively and call `respondMatched`; anything their router
 * does not match goes to `respond`, which decides between the route table, 404 and 405.
 */
export class RouteTable {
  readonly routes: readonly Route[];
  readonly router: Router;

  constructor(options: { debugRoutes: boolean }) {
    this.routes = options.debugRoutes ? [...DEBUG_ROUTES, ...ROUTES] : ROUTES;
    this.router = new Router(this.routes);
  }

  async respondMatched(route: Route, params: Readonly<Record<string, string>>, request: HttpRequest,
    context: () => Promise<RequestContext>, metrics: RuntimeMetrics): Promise<HttpResponse> {
    const done = metrics.startRequest();
    let response: HttpResponse;
    try {
      response = await route.handler(request, params, await context());
    } catch (err) {
      response = errorResponse(err);
    }
    done(route.pattern, request.method, response.status, route.source);
    return response;
  }

  async respond(request: HttpRequest, context: () => Promise<RequestContext>, metrics: RuntimeMetrics): Promise<HttpResponse> {
    let match;
    try {
      match = this.router.match(request.method, request.path);
    } catch (err) {
      const done = metrics.startRequest();
      const response = errorResponse(err);
      done('unmatched', request.method, response.status, 'none');
      return response;
    }
    return this.respondMatched(match.route, match.params, request, context, metrics);
  }
}
