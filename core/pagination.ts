import { validationError, type FieldError } from './errors.js';

// A page of a list: by offset (`?limit=50&offset=100`) or by cursor (`?limit=50&after=1234`, the id of
// the last entity seen; cost does not grow with how deep the page is). `?limit=all` reads the whole list,
// up to LIST_ALL_CAP, as the original demo did.
export type PageRequest =
  | { readonly kind: 'offset'; readonly limit: number; readonly offset: number }
  | { readonly kind: 'after'; readonly limit: number; readonly after: number };

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

/** A page as stored JSON texts (PROJECTION_ENCODING=json): each text is JSON.stringify of one item. */
export interface PageText {
  readonly texts: readonly string[];
  readonly total: number;
  /** The id of the last item (undefined when the page is empty). */
  readonly lastId: number | undefined;
}

export interface PageLimits {
  readonly pageDefaultLimit: number;
  readonly pageMaxLimit: number;
  readonly listAllCap: number;
}

const WHOLE = /^\d{1,15}$/;

/** Parses the query parameters of a list route; unknown parameters are refused with a field error. */
export function parsePageRequest(query: Readonly<Record<string, string | undefined>>, limits: PageLimits): PageRequest {
  const errors: FieldError[] = [];
  for (const key of Object.keys(query)) {
    if (key !== 'limit' && key !== 'offset' && key !== 'after') {
      errors.push({ field: key, message: 'unknown query parameter; use limit, offset or after' });
    }
  }
  let limit = limits.pageDefaultLimit;
  const rawLimit = query.limit;
  if (rawLimit !== undefined) {
    if (rawLimit === 'all') {
      limit = limits.listAllCap;
    } else if (!WHOLE.test(rawLimit) || Number(rawLimit) < 1) {
      errors.push({ field: 'limit', message: `must be a whole number from 1 to ${limits.pageMaxLimit}, or "all"` });
    } else if (Number(rawLimit) > limits.pageMaxLimit) {
      errors.push({ field: 'limit', message: `must be at most ${limits.pageMaxLimit} (use "all" for the whole list, capped at ${limits.listAllCap})` });
    } else {
      limit = Number(rawLimit);
    }
  }
  const { offset, after } = query;
  if (offset !== undefined && after !== undefined) {
    errors.push({ field: 'after', message: 'give either offset or after, not both' });
  }
  if (offset !== undefined && !WHOLE.test(offset)) {
    errors.push({ field: 'offset', message: 'must be a whole number (0 or more)' });
  }
  if (after !== undefined && !WHOLE.test(after)) {
    errors.push({ field: 'after', message: 'must be the id of the last entity of the previous page (a whole number)' });
  }
  if (errors.length > 0) throw validationError(errors);
  if (after !== undefined) return { kind: 'after', limit, after: Number(after) };
  return { kind: 'offset', limit, offset: offset === undefined ? 0 : Number(offset) };
}

/** The list body of the wire format: `{"products": [...], "total": N, ...}`. */
export function pageBody<T extends { id: number }>(listName: string, request: PageRequest, page: Page<T>): Record<string, unknown> {
  const last = page.items[page.items.length - 1];
  const full = page.items.length === request.limit;
  return {
    [listName]: page.items,
    total: page.total,
    limit: request.limit,
    ...(request.kind === 'offset' ? { offset: request.offset } : { after: request.after }),
    next_after: full && last ? last.id : null,
  };
}

/**
 * pageBody written as text from items already serialised: the same bytes as JSON.stringify(pageBody(…)) of the
 * decoded items (same keys, same order), without decoding nor serialising them.
 */
export function pageBodyText(listName: string, request: PageRequest, page: PageText): string {
  const full = page.texts.length === request.limit;
  const nextAfter = full && page.lastId !== undefined ? page.lastId : null;
  const position = request.kind === 'offset' ? `"offset":${JSON.stringify(request.offset)}` : `"after":${JSON.stringify(request.after)}`;
  return `{${JSON.stringify(listName)}:[${page.texts.join(',')}],"total":${JSON.stringify(page.total)},"limit":${JSON.stringify(request.limit)},${position},"next_after":${JSON.stringify(nextAfter)}}`;
}
