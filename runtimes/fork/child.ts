import { createApplication, type Application } from '../../core/app.js';
import { loadConfig } from '../../core/config.js';
import { RouteTable } from '../../core/http/RouteTable.js';
import type { HttpRequest, HttpResponse, RequestContext, Route, RouteMatch } from '../../core/http/types.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { connectRedis } from '../../core/redis/connection.js';
import { bootApplication } from '../shared/bootstrap.js';
import type { ChildMessage, MasterMessage } from './protocol.js';

// A fork child: serves one request at a time, handed over by the master. By default it bootstraps the
// application for each request and closes its MySQL and Redis connections after it (shared-nothing, as
// PHP does); FORK_PERSISTENT=1 keeps one application (persistent connections).

const config = loadConfig();
const settings = config.runtimes;
const metrics = new RuntimeMetrics('fork', `child-${process.env.FORK_CHILD_INDEX ?? '?'}`, 'back');
const table = new RouteTable({ debugRoutes: settings.debugRoutes });
const persistent: Application | undefined = settings.forkPersistent
  ? await bootApplication(config, metrics, { projector: false })
  : undefined;
let served = 0;

function send(message: ChildMessage): void {
  process.send!(message);
}

const noMetrics = async (): Promise<never> => {
  throw new Error('the fork master serves /metrics');
};

/**
 * Per-request bootstrap: a fresh application with one MySQL connection and, when the request uses Redis, its
 * own Redis connection, as PHP with Predis. A projection read needs Redis (its failure answers 503); a command
 * or /healthz uses it if it can (a command leaves it to the projector); a MySQL read never touches it.
 */
async function perRequestContext(route: Route, opened: { app?: Application }): Promise<RequestContext> {
  const app = (opened.app = createApplication(config, { mysqlPoolMax: 1, lazyRedis: true }));
  metrics.instrument(app);
  if (route.source === 'redis') await connectRedis(app.redis);
  else if (!(route.method === 'GET' && route.source === 'db')) await connectRedis(app.redis).catch(() => undefined);
  return { app, metricsText: noMetrics };
}

async function handle(request: HttpRequest): Promise<HttpResponse> {
  let match: RouteMatch;
  try {
    match = table.router.match(request.method, request.path);
  } catch {
    // The master answers 404 and 405 itself; should one arrive, the route table answers it the same way.
    return table.respond(request, async () => { throw new Error('no route'); }, metrics);
  }
  if (persistent) return table.respondMatched(match.route, match.params, request, async () => ({ app: persistent, metricsText: noMetrics }), metrics);
  const opened: { app?: Application } = {};
  try {
    return await table.respondMatched(match.route, match.params, request, () => perRequestContext(match.route, opened), metrics);
  } finally {
    await opened.app?.close();
  }
}

process.on('message', (message: MasterMessage) => {
  switch (message.type) {
    case 'request':
      void handle(message.request).then((response) => {
        served++;
        const retiring = settings.forkMaxRequests > 0 && served >= settings.forkMaxRequests;
        send({ type: 'response', id: message.id, response, retiring });
        if (retiring) void shutdown();
      });
      break;
    case 'metrics':
      void metrics.snapshot().then((snapshot) => send({ type: 'metrics', id: message.id, snapshot }));
      break;
    case 'shutdown':
      void shutdown();
      break;
  }
});

async function shutdown(): Promise<void> {
  await persistent?.close();
  process.disconnect?.();
  process.exit(0);
}

// The master owns the signals: a Ctrl-C reaches the whole process group, and the master decides when
// its children stop (after their in-flight request).
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
