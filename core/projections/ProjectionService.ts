import { notFound } from '../errors.js';
import type { Page, PageRequest } from '../pagination.js';
import type { EntityQueries } from '../model/EntityQueries.js';
import type { ProjectionRepository } from './ProjectionRepository.js';

/** What the projection routes call: reads of one entity's projections, NOT_FOUND for unknown ids. */
export class ProjectionService<T extends { id: number }> implements EntityQueries<T> {
  constructor(private readonly repository: ProjectionRepository<T>, private readonly entity: string) {}

  async get(id: number): Promise<T> {
    const projection = await this.repository.get(id);
    if (!projection) throw notFound(this.entity, id);
    return projection;
  }

  list(request: PageRequest): Promise<Page<T>> {
    return this.repository.page(request);
  }
}
