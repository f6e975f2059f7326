import { createApplication, type Application } from '../../core/app.js';
import type { Config } from '../../core/config.js';
import { consoleLogger } from '../../core/logger.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';

/**
 * The application of a long-lived process, booted once: pools, instrumentation and (in the process that
 * owns it) the projector loop. Starting while MySQL or Redis is down is allowed: requests answer 503 until
 * they are back.
 */
export async function bootApplication(config: Config, metrics: RuntimeMetrics, options: { projector: boolean }): Promise<Application> {
  const app = createApplication(config, metrics.applicationObservers());
  metrics.instrument(app);
  try {
    await app.connectRedis();
  } catch (err) {
    consoleLogger.warn('redis not reachable at start; requests that need it answer 503 until it is back', { err });
  }
  if (options.projector) {
    metrics.watchProjector(app);
    app.keeper.start(config.projectorIntervalMs);
  }
  return app;
}
