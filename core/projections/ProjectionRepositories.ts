import type { Redis } from 'ioredis';
import { entityOf } from '../model/catalogue.js';
import type { CustomerProjection } from '../model/Customer.js';
import type { OrderProjection } from '../model/Order.js';
import type { ProductProjection } from '../model/Product.js';
import { projectionKeys } from './ProjectionKeys.js';
import { ProjectionRepository } from './ProjectionRepository.js';

export interface ProjectionRepositories {
  readonly product: ProjectionRepository<ProductProjection>;
  readonly customer: ProjectionRepository<CustomerProjection>;
  readonly order: ProjectionRepository<OrderProjection>;
}

export function createProjectionRepositories(redis: Redis, prefix: string): ProjectionRepositories {
  return {
    product: new ProjectionRepository<ProductProjection>(redis, projectionKeys(prefix, entityOf('product').plural)),
    customer: new ProjectionRepository<CustomerProjection>(redis, projectionKeys(prefix, entityOf('customer').plural)),
    order: new ProjectionRepository<OrderProjection>(redis, projectionKeys(prefix, entityOf('order').plural)),
  };
}
