import { AppError, methodNotAllowed } from '../errors.js';
import type { Route, RouteMatch } from './types.js';

interface CompiledRoute {
  readonly route: Route;
  readonly regex: RegExp;
  readonly names: readonly string[];
}

/** Names of a pattern's `:parameters`, in order. */
export function parameterNames(pattern: string): string[] {
  return pattern.split('/').filter((segment) => segment.startsWith(':')).map((segment) => segment.slice(1));
}

function compile(route: Route): CompiledRoute {
  const source = route.pattern
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '([^/]+)' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { route, regex: new RegExp(`^${source}$`), names: parameterNames(route.pattern) };
}

/** Percent-decoded parameters by name; a malformed escape is the client's error (400), never a crash. */
function decodeParameters(names: readonly string[], encoded: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  try {
    for (let i = 0; i < names.length; i++) params[names[i]!] = decodeURIComponent(encoded[i]!);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Malformed path', [{ field: 'path', message: 'has an invalid percent-encoding' }]);
  }
  return params;
}

/** The route table's own matcher, for runtimes without a router (fork) and for 404-versus-405 decisions. */
export class Router {
  private readonly compiled: readonly CompiledRoute[];
  private readonly names: ReadonlyMap<Route, readonly string[]>;

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map(compile);
    this.names = new Map(this.compiled.map(({ route, names }) => [route, names]));
  }

  /** A route's parameters as another router (Express, uWS) matched them: decoded by name here. */
  decode(route: Route, encoded: readonly string[]): Record<string, string> {
    return decodeParameters(this.names.get(route) ?? [], encoded);
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
      return { route, params: decodeParameters(names, found.slice(1)) };
    }
    if (allowed.size > 0) throw methodNotAllowed(method, path, [...allowed]);
    throw new AppError('NOT_FOUND', `No route for ${method} ${path}`);
  }
}
