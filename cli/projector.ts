import { createApplication, loadConfig } from '../core/index.js';
import { runCli } from './cli.js';

// The projector as its own process: polls the outbox and applies what inline projection missed.
// `--once` catches up and exits (prints how many events it applied).
runCli(async () => {
  const config = loadConfig();
  const app = createApplication(config);
  await app.connectRedis();
  if (process.argv.includes('--once')) {
    const applied = await app.projector.catchUp();
    console.log(`projector: applied ${applied} events, lag now ${await app.projector.lag()}`);
    await app.close();
    return;
  }
  app.logger.info('projector started (it also rebuilds a read model that does not belong to this database)', { intervalMs: config.projectorIntervalMs });
  app.keeper.start(config.projectorIntervalMs);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await app.close();
});
