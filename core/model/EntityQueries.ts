import type { Page, PageRequest } from '../pagination.js';

/** The read questions of one entity; answered from MySQL (…DbQueries) or from Redis (…ProjectionService). */
export interface EntityQueries<T> {
  /** Throws NOT_FOUND when there is no such entity. */
  get(id: number): Promise<T>;
  list(request: PageRequest): Promise<Page<T>>;
}
