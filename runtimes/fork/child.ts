import { createApplication, type Application } from '../../core/app.js';
import { loadConfig } from '../../core/config.js';
import { RequestPipeline } from '../../core/http/RequestPipeline.js';
import type { PipelineHook, RequestContext } from '../../core/http/types.js';
import { bindProcessLogger, consoleLogger } from '../../core/logger.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { bootApplication } from '../shared/bootstrap.js';
import type { ChildMessage, MasterMessage } from './protocol.js';

// A fork child: serves one request at a time, handed over by the master. By default it bootstraps the
// application for each request and closes its MySQL and Redis connections after it (shared-nothing, as
// PHP does); FORK_PERSISTENT=1 keeps one application (persistent connections).

const config = loadConfig();
const settings = config.runtimes;
bindProcessLogger({ runtime: 'fork', worker: `child-${process.env.FORK_CHILD_INDEX ?? '?'}` });
const metrics = new RuntimeMetrics('fork', `child-${process.env.FORK_CHILD_INDEX ?? '?'}`);
let served = 0;
const EMPTY = Buffer.alloc(0);

function send(message: ChildMessage): void {
  process.send!(message);
}

const noMetrics = async (): Promise<never> => {
  throw new Error('the fork master serves /metrics');
};

/**
 * Per-request bootstrap, as PHP with Predis: a fresh application with one MySQL connection and, when the
 * request uses Redis, its own Redis connection, closed once the request is answered. A projection read needs
 * Redis (its failure answers 503); a command or /healthz uses it if it can (a command leaves it to the
 * projector); a MySQL read never touches it. The application builds only the parts the request uses.
 */
const observers = metrics.applicationObservers();
const perRequestBootstrap: PipelineHook = {
  async preHandler(scope) {
    const app = createApplication(config, { mysqlPoolMax: 1, lazyRedis: true, ...observers });
    metrics.instrument(app);
    scope.context = { app, metricsText: noMetrics };
    const route = scope.route!;
    if (route.source === 'redis') await app.connectRedis();
    else if (!(route.method === 'GET' && route.source === 'db')) await app.connectRedis().catch(() => undefined);
    return undefined;
  },
  async onResponse(scope) {
    if (scope.context !== unbooted) await scope.context.app.close();
  },
};

/** The context before the bootstrap hook runs: nothing is open yet. */
const unbooted: RequestContext = {
  get app(): Application {
    throw new Error('the application is booted per request, by the bootstrap hook');
  },
  metricsText: noMetrics,
};

const persistent: Application | undefined = settings.forkPersistent
  ? await bootApplication(config, metrics, { projector: false })
  : undefined;
const pipeline = new RequestPipeline({
  context: persistent ? { app: persistent, metricsText: noMetrics } : unbooted,
  hooks: persistent ? [metrics.http('back')] : [metrics.http('back'), perRequestBootstrap],
  logger: consoleLogger,
  debugRoutes: settings.debugRoutes,
});

process.on('message', (message: MasterMessage) => {
  switch (message.type) {
    case 'request':
      void pipeline.handle({ ...message.request, body: message.request.body ?? EMPTY }).then((response) => {
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
