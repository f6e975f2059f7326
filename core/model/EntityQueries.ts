import type { Page, PageRequest, PageText } from '../pagination.js';

/** The read questions of one entity; answered from MySQL (…DbQueries) or from Redis (…ProjectionService). */
export interface EntityQueries<T> {
  /** Throws NOT_FOUND when there is no such entity. */
  get(id: number): Promise<T>;
  list(request: PageRequest): Promise<Page<T>>;
}

/**
 * The same questions answered with JSON text as stored (PROJECTION_ENCODING=json): `getText` is
 * JSON.stringify(get(id)), each of `listText`'s texts JSON.stringify of an item of list(request).
 */
export interface EntityTextQueries {
  /** Throws NOT_FOUND when there is no such entity. */
  getText(id: number): Promise<string>;
  listText(request: PageRequest): Promise<PageText>;
}
