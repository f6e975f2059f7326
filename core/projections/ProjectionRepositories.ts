import type { Redis } from 'ioredis';
import type { ProjectionEncoding } from '../config.js';
import { entityOf, type AggregateType, type ProjectionOf } from '../model/catalogue.js';
import { projectionKeys } from './ProjectionKeys.js';
import { projectionCodec } from './ProjectionCodec.js';
import { ProjectionRepository } from './ProjectionRepository.js';

export type ProjectionRepositories = { readonly [T in AggregateType]: ProjectionRepository<ProjectionOf[T]> } & {
  /** How all of them store their projections (part of the read model's identity). */
  readonly encoding: ProjectionEncoding;
};

export function createProjectionRepositories(redis: Redis, prefix: string, encoding: ProjectionEncoding): ProjectionRepositories {
  const codec = projectionCodec(encoding);
  const repository = <T extends AggregateType>(type: T) =>
    new ProjectionRepository<ProjectionOf[T]>(redis, projectionKeys(prefix, entityOf(type).plural), codec);
  return { product: repository('product'), customer: repository('customer'), order: repository('order'), encoding };
}
