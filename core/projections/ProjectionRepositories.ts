import type { Redis } from 'ioredis';
import type { AggregateType } from '../queries/sql.js';
import type { CustomerProjection } from './CustomerProjection.js';
import type { OrderProjection } from './OrderProjection.js';
import type { ProductProjection } from './ProductProjection.js';
import { projectionKeys } from './ProjectionKeys.js';
import { ProjectionRepository } from './ProjectionRepository.js';

export interface ProjectionRepositories {
  readonly product: ProjectionRepository<ProductProjection>;
  readonly customer: ProjectionRepository<CustomerProjection>;
  readonly order: ProjectionRepository<OrderProjection>;
}

/** Key-space name of each aggregate's projections (plural, as in the routes). */
export const ENTITY_NAMES: Readonly<Record<AggregateType, string>> = { product: 'products', customer: 'customers', order: 'orders' };

export function createProjectionRepositories(redis: Redis, prefix: string): ProjectionRepositories {
  return {
    product: new ProjectionRepository<ProductProjection>(redis, projectionKeys(prefix, ENTITY_NAMES.product)),
    customer: new ProjectionRepository<CustomerProjection>(redis, projectionKeys(prefix, ENTITY_NAMES.customer)),
    order: new ProjectionRepository<OrderProjection>(redis, projectionKeys(prefix, ENTITY_NAMES.order)),
  };
}
