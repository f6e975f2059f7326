import { clip } from '../errorBounds.js';
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

/**
 * A path no route matches is a 404, unless the path itself is malformed — a control character, a space, or a
 * percent-escape that is not UTF-8 in any segment: that is the client's error (400), as in a route's parameter.
 */
function malformedPath(path: string): AppError | undefined {
  if (/[\x00-\x20\x7f]/.test(path)) return new AppError('VALIDATION_FAILED', 'Malformed path', [{ field: 'path', message: 'holds a control character or a space' }]);
  if (!path.includes('%')) return undefined;
  try {
    decodeURIComponent(path);
    return undefined;
  } catch {
    return new AppError('VALIDATION_FAILED', 'Malformed path', [{ field: 'path', message: 'has an invalid percent-encoding' }]);
  }
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
    // HEAD is GET without the body (RFC 9110 §9.3.2), as Express does; the adapter leaves the body out.
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const { route, regex, names } of this.compiled) {
      const found = regex.exec(path);
      if (!found) continue;
      if (route.method !== wanted) {
        allowed.add(route.method);
        continue;
      }
      return { route, params: decodeParameters(names, found.slice(1)) };
    }
    if (allowed.size > 0) throw methodNotAllowed(method, path, [...allowed]);
    throw malformedPath(path) ?? new AppError('NOT_FOUND', `No route for ${clip(method)} ${clip(path)}`);
  }
}
