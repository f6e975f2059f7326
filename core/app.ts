import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { CommandExecutor } from './commands/CommandExecutor.js';
import { CustomerCommands } from './commands/CustomerCommands.js';
import { IdempotencyStore } from './commands/IdempotencyStore.js';
import { OrderCommands } from './commands/OrderCommands.js';
import { ProductCommands } from './commands/ProductCommands.js';
import type { Config } from './config.js';
import { createKnex } from './db/connection.js';
import { consoleLogger, type Logger } from './logger.js';
import type { CustomerProjection } from './model/Customer.js';
import type { OrderProjection } from './model/Order.js';
import type { ProductProjection } from './model/Product.js';
import { ProjectionRebuilder } from './projections/ProjectionRebuilder.js';
import { createProjectionRepositories, type ProjectionRepositories } from './projections/ProjectionRepositories.js';
import { PAGE_SCRIPTS, type ProjectionRepository } from './projections/ProjectionRepository.js';
import { ProjectionService, type ReadFallbackObserver } from './projections/ProjectionService.js';
import { OriginalProjectionReader } from './projections/original/OriginalProjectionReader.js';
import type { AggregateType } from './model/catalogue.js';
import { EventSequencer } from './events/EventSequencer.js';
import { Projector, type ProjectorObserver } from './projections/Projector.js';
import { ReadModelKeeper, type KeeperObserver } from './projections/ReadModelKeeper.js';
import type { EntityQueries, EntityTextQueries } from './model/EntityQueries.js';
import { createDbQueries } from './queries/DbQueries.js';
import { connectRedis, createRedis } from './redis/connection.js';
import { instrumentRedis, type RedisCallObserver } from './redis/instrumentRedis.js';

export interface EntityReads<T> {
  readonly db: EntityQueries<T>;
  readonly projection: EntityQueries<T>;
  /**
   * The projections as stored JSON text, for the routes to send without decoding: only with
   * PROJECTION_ENCODING=json and PROJECTION_READS=default (the original read modes read their own layout).
   */
  readonly projectionText?: EntityTextQueries;
}

/** Everything the routes, the CLIs and the tests use, built from one Config. */
export interface Application {
  readonly config: Config;
  readonly knex: Knex;
  readonly redis: Redis;
  readonly logger: Logger;
  readonly commands: { readonly product: ProductCommands; readonly customer: CustomerCommands; readonly order: OrderCommands };
  /** The idempotency keys of commands and their recorded answers (IDEMPOTENCY_KEY_TTL_SECONDS). */
  readonly idempotency: IdempotencyStore;
  readonly reads: {
    readonly product: EntityReads<ProductProjection>;
    readonly customer: EntityReads<CustomerProjection>;
    readonly order: EntityReads<OrderProjection>;
  };
  readonly repositories: ProjectionRepositories;
  readonly projector: Projector;
  readonly rebuilder: ProjectionRebuilder;
  /** Polls the outbox and keeps the read model belonging to this write model (rebuilding it when it does not). */
  readonly keeper: ReadModelKeeper;
  /** Waits until Redis is connected (a lazy client connects now); rejects on the first connection error. */
  connectRedis(): Promise<void>;
  close(): Promise<void>;
}

export interface ApplicationOptions {
  readonly logger?: Logger;
  /** Pool size override (the fork runtime's per-request bootstrap uses 1). */
  readonly mysqlPoolMax?: number;
  /** Open Redis only on `connectRedis` (per-request bootstrap: only requests that use Redis connect). */
  readonly lazyRedis?: boolean;
  /** Told of what the projector applies (the process's metrics). */
  readonly projectorObserver?: ProjectorObserver;
  /** Told of every Redis call's round trip (the process's metrics). */
  readonly redisObserver?: RedisCallObserver;
  /** Told when the read model was rebuilt by itself (the process's metrics). */
  readonly keeperObserver?: KeeperObserver;
  /** Told when a projection read was answered from MySQL because the read model was being rebuilt (the process's metrics). */
  readonly readFallbackObserver?: ReadFallbackObserver;
}

/** A value built on first use, then kept: a per-request application builds only what its request touches. */
function lazy<T>(build: () => T): (() => T) & { readonly built: () => boolean } {
  let value: T | undefined;
  let built = false;
  const get = () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
  return Object.assign(get, { built: () => built });
}

/**
 * Creates the application. MySQL connects on first use; await `connectRedis(app.redis)` before Redis use.
 * Its parts (repositories, projector, commands, reads, rebuilder) are built when first used.
 */
export function createApplication(config: Config, options: ApplicationOptions = {}): Application {
  const logger = options.logger ?? consoleLogger;
  const knex = createKnex(config.mysqlUrl, { poolMax: options.mysqlPoolMax ?? config.mysqlPoolMax });
  const client = createRedis(config.redisUrl, {
    lazy: options.lazyRedis,
    autoPipelining: config.redisAutoPipelining,
    sentAtOnce: PAGE_SCRIPTS,
    onDown: (err) => logger.warn('redis connection lost', { err }),
  });
  const redis = options.redisObserver ? instrumentRedis(client, options.redisObserver) : client;
  const repositories = lazy(() => createProjectionRepositories(redis, config.redisPrefix, config.projectionEncoding));
  const projector = lazy(() => {
    const built = new Projector(knex, redis, repositories(), config.redisPrefix, logger, new EventSequencer(knex));
    if (options.projectorObserver) built.observe(options.projectorObserver);
    return built;
  });
  const idempotency = lazy(() => new IdempotencyStore(knex, config.idempotencyKeyTtlSeconds, logger));
  const executor = lazy(() => new CommandExecutor(knex, projector(), idempotency(), config.inlineProjection));
  // The projection routes read through the default path, or a stage of the original demo's (PROJECTION_READS),
  // which reads the original's own layout whatever PROJECTION_ENCODING says.
  const projectionReads = <T extends { id: number }>(type: AggregateType, db: EntityQueries<T>, repository: () => ProjectionRepository<T>): EntityReads<T> => {
    if (config.projectionReads !== 'default') {
      return { db, projection: new OriginalProjectionReader<T>(redis, config.redisUrl, config.redisPrefix, type, config.projectionReads) };
    }
    // A read model being rebuilt answers from the write model: the same queries the /db routes ask.
    const service = new ProjectionService(repository(), type, db, options.readFallbackObserver);
    return config.projectionEncoding === 'json' ? { db, projection: service, projectionText: service } : { db, projection: service };
  };
  const commands = lazy(() => ({
    product: new ProductCommands(executor()),
    customer: new CustomerCommands(executor()),
    order: new OrderCommands(executor()),
  }));
  const reads = lazy(() => {
    const db = createDbQueries(knex, config);
    return {
      product: projectionReads('product', db.product, () => repositories().product),
      customer: projectionReads('customer', db.customer, () => repositories().customer),
      order: projectionReads('order', db.order, () => repositories().order),
    };
  });
  const rebuilder = lazy(() => new ProjectionRebuilder(knex, redis, repositories(), projector(), {
    batchSize: config.rebuildBatchSize, prefix: config.redisPrefix, leaseMs: config.rebuildLeaseMs,
  }));
  const keeper = lazy(() => {
    const built = new ReadModelKeeper(knex, redis, config.redisPrefix, config.projectionEncoding, projector(), rebuilder, logger);
    if (options.keeperObserver) built.observe(options.keeperObserver);
    return built;
  });
  return {
    config,
    knex,
    redis,
    logger,
    get commands() { return commands(); },
    get idempotency() { return idempotency(); },
    get reads() { return reads(); },
    get repositories() { return repositories(); },
    get projector() { return projector(); },
    get rebuilder() { return rebuilder(); },
    get keeper() { return keeper(); },
    connectRedis: () => connectRedis(client),
    async close() {
      // Stops the keeper's polling (if it polls) and waits for a catch-up under way.
      if (keeper.built()) await keeper().stop();
      else if (projector.built()) await projector().stop();
      redis.disconnect();
      await knex.destroy();
    },
  };
}
