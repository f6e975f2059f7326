// core's public entry point: what the command-line tools and the bench use. (The runtimes use core/http and
// core/metrics, the adapters' side of the request path; the tests may reach further in.)
export { createApplication, type Application } from './app.js';
export { ConfigError, loadConfig, PROJECTION_ENCODINGS, PROJECTION_READS, splitMysqlUrl, type Config, type ObserveSettings, type ProjectionEncoding, type ProjectionReads, type RuntimeSettings } from './config.js';
export { createKnex, dropDatabase, ensureDatabase, mysqlConnectionSettings } from './db/connection.js';
export { migrateLatest } from './db/migrate.js';
export { isAppError, isUnavailable } from './errors.js';
export { AGGREGATE_TYPES, ENTITIES, ENTITY_NAMES, entityNamed, entityOf, isEntityName, type AggregateType, type EntityName } from './model/catalogue.js';
export { originalKeys, writeOriginalLayout } from './projections/original/OriginalLayout.js';
export { readModelKeys } from './projections/ProjectionKeys.js';
export { connectRedis, createRedis, deleteKeysWithPrefix } from './redis/connection.js';
export type { RebuildProgress, RebuildResult } from './projections/ProjectionRebuilder.js';
export { liveCount } from './queries/sql.js';
export { pageBody, parsePageRequest } from './pagination.js';
export { Seeder, type SeedProgress, type SeedResult } from './seed/Seeder.js';
export { verifyReadModel, type Mismatch, type Verification } from './ReadModelVerifier.js';
