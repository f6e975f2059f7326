import { AppError, methodNotAllowed } from '../errors.js';
import type { Route, RouteMatch } from './types.js';

interface CompiledRoute {
  readonly route: Route;
  readonly regex: RegExp;
  readonly names: readonly string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.pattern
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { route, regex: new RegExp(`^${source}$`), names };
}

/** The route table's own matcher, for runtimes without a router (fork) and for 404-versus-405 decisions. */
export class Router {
  private readonly compiled: readonly CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map(compile);
  }

  /** The route for this method and path, or an AppError: NOT_FOUND, or METHOD_NOT_ALLOWED with the allowed methods. */
  match(method: string, path: string): RouteMatch {
    const allowed = new Set<string>();
    for (const { route, regex, names } of this.compiled) {
      const found = regex.exec(path);
      if (!found) continue;
      if (route.method !== method) {
        allowed.add(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      try {
        names.forEach((name, i) => { params[name] = decodeURIComponent(found[i + 1]!); });
      } catch {
        throw new AppError('VALIDATION_FAILED', 'Malformed path', [{ field: 'path', message: 'has an invalid percent-encoding' }]);
      }
      return { route, params };
    }
    if (allowed.size > 0) throw methodNotAllowed(method, path, [...allowed]);
    throw new AppError('NOT_FOUND', `No route for ${method} ${path}`);
  }
}
