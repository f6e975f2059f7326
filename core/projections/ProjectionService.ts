import { notFound } from '../errors.js';
import type { Page, PageRequest, PageText } from '../pagination.js';
import type { EntityQueries, EntityTextQueries } from '../model/EntityQueries.js';
import type { ProjectionRepository } from './ProjectionRepository.js';

/**
 * What the projection routes call: reads of one entity's projections, NOT_FOUND for unknown ids. The text reads
 * work only on a json-encoded repository.
 */
export class ProjectionService<T extends { id: number }> implements EntityQueries<T>, EntityTextQueries {
  constructor(private readonly repository: ProjectionRepository<T>, private readonly entity: string) {}

  async get(id: number): Promise<T> {
    const projection = await this.repository.get(id);
    if (!projection) throw notFound(this.entity, id);
    return projection;
  }

  list(request: PageRequest): Promise<Page<T>> {
    return this.repository.page(request);
  }

  async getText(id: number): Promise<string> {
    const text = await this.repository.getText(id);
    if (text === null) throw notFound(this.entity, id);
    return text;
  }

  listText(request: PageRequest): Promise<PageText> {
    return this.repository.pageText(request);
  }
}
