import { isAppError, notFound } from '../errors.js';
import type { Page, PageRequest, PageText } from '../pagination.js';
import type { EntityQueries, EntityTextQueries } from '../model/EntityQueries.js';
import type { ProjectionRepository } from './ProjectionRepository.js';

/** Told when a projection read was answered by the write model because the read model could not be trusted. */
export interface ReadFallbackObserver {
  fellBack(entity: string): void;
}

function rebuilding(error: unknown): boolean {
  return isAppError(error) && error.code === 'READ_MODEL_REBUILDING';
}

/**
 * What the projection routes call: reads of one entity's projections, NOT_FOUND for unknown ids. The text reads
 * work only on a json-encoded repository.
 *
 * A read model being rebuilt (Redis emptied, or withdrawn by the keeper) never answers something false: such a read
 * is answered by `writeModel`, MySQL's answer to the same question — the same JSON, without the read model's speed.
 * What MySQL refuses to serve (an offset past DB_MAX_OFFSET) stays a 503 READ_MODEL_REBUILDING with Retry-After.
 */
export class ProjectionService<T extends { id: number }> implements EntityQueries<T>, EntityTextQueries {
  constructor(
    private readonly repository: ProjectionRepository<T>,
    private readonly entity: string,
    private readonly writeModel?: EntityQueries<T>,
    private readonly observer?: ReadFallbackObserver,
  ) {}

  async get(id: number): Promise<T> {
    try {
      const projection = await this.repository.get(id);
      if (!projection) throw notFound(this.entity, id);
      return projection;
    } catch (err) {
      return this.fallBack(err, (db) => db.get(id));
    }
  }

  async list(request: PageRequest): Promise<Page<T>> {
    try {
      return await this.repository.page(request);
    } catch (err) {
      return this.fallBack(err, (db) => db.list(request));
    }
  }

  async getText(id: number): Promise<string> {
    try {
      const text = await this.repository.getText(id);
      if (text === null) throw notFound(this.entity, id);
      return text;
    } catch (err) {
      return this.fallBack(err, async (db) => JSON.stringify(await db.get(id)));
    }
  }

  async listText(request: PageRequest): Promise<PageText> {
    try {
      return await this.repository.pageText(request);
    } catch (err) {
      return this.fallBack(err, async (db) => {
        const { items, total } = await db.list(request);
        return { texts: items.map((item) => JSON.stringify(item)), total, lastId: items.at(-1)?.id };
      });
    }
  }

  private async fallBack<R>(error: unknown, read: (db: EntityQueries<T>) => Promise<R>): Promise<R> {
    if (!rebuilding(error) || !this.writeModel) throw error;
    this.observer?.fellBack(this.entity);
    try {
      return await read(this.writeModel);
    } catch (dbError) {
      // A request the write model refuses (a deep offset) is not the client's fault here: the read model will serve it.
      if (isAppError(dbError) && dbError.code === 'VALIDATION_FAILED') throw error;
      throw dbError;
    }
  }
}
