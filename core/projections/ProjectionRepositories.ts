import type { Redis } from 'ioredis';
import type { ProjectionEncoding } from '../config.js';
import { entityOf } from '../model/catalogue.js';
import type { CustomerProjection } from '../model/Customer.js';
import type { OrderProjection } from '../model/Order.js';
import type { ProductProjection } from '../model/Product.js';
import { projectionKeys } from './ProjectionKeys.js';
import { projectionCodec } from './ProjectionCodec.js';
import { ProjectionRepository } from './ProjectionRepository.js';

export interface ProjectionRepositories {
  readonly product: ProjectionRepository<ProductProjection>;
  readonly customer: ProjectionRepository<CustomerProjection>;
  readonly order: ProjectionRepository<OrderProjection>;
  /** How all three store their projections (part of the read model's identity). */
  readonly encoding: ProjectionEncoding;
}

export function createProjectionRepositories(redis: Redis, prefix: string, encoding: ProjectionEncoding): ProjectionRepositories {
  const codec = projectionCodec(encoding);
  return {
    product: new ProjectionRepository<ProductProjection>(redis, projectionKeys(prefix, entityOf('product').plural), codec),
    customer: new ProjectionRepository<CustomerProjection>(redis, projectionKeys(prefix, entityOf('customer').plural), codec),
    order: new ProjectionRepository<OrderProjection>(redis, projectionKeys(prefix, entityOf('order').plural), codec),
    encoding,
  };
}
