import type { Application, EntityReads } from './app.js';
import { ENTITIES, type EntityName } from './model/catalogue.js';
import type { PageRequest } from './pagination.js';
import type { ProjectionRepository } from './projections/ProjectionRepository.js';

export interface Mismatch {
  readonly entity: EntityName;
  /** `id 42`, or a page such as `page offset=500 limit=500`. */
  readonly where: string;
  readonly database: string;
  readonly projection: string;
}

export interface Verification {
  readonly compared: { readonly ids: number; readonly pages: number };
  readonly mismatches: readonly Mismatch[];
}

const PAGE_SIZE = 500;
const SHOWN = 80;

function brief(value: unknown): string {
  const text = value === undefined ? '(missing)' : value instanceof Error ? `(undecodable: ${value.message})` : JSON.stringify(value);
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text;
}

/**
 * Compares the read model with the write model, entity by entity: every live id (the projection must equal what
 * the MySQL read answers, and no projection may exist without a live row) and every page of the list, read from
 * both sources. What `make verify-projections` prints.
 */
export async function verifyReadModel(app: Application, onProgress?: (entity: EntityName, done: number, total: number) => void): Promise<Verification> {
  const mismatches: Mismatch[] = [];
  let ids = 0;
  let pages = 0;
  for (const { type, plural } of ENTITIES) {
    const reads: EntityReads<{ id: number }> = app.reads[type];
    const repository: ProjectionRepository<{ id: number }> = app.repositories[type];
    // Every id: the MySQL side page by page (cursor), the projection side all at once.
    const projected = await repository.stored();
    let total = 0;
    let done = 0;
    for (let after = 0; ;) {
      const page = await reads.db.list({ kind: 'after', after, limit: PAGE_SIZE });
      total = page.total;
      for (const row of page.items) {
        const projection = projected.get(row.id);
        projected.delete(row.id);
        ids++;
        done++;
        if (JSON.stringify(projection) !== JSON.stringify(row)) {
          mismatches.push({ entity: plural, where: `id ${row.id}`, database: brief(row), projection: brief(projection) });
        }
      }
      onProgress?.(plural, done, total);
      if (page.items.length < PAGE_SIZE) break;
      after = page.items[page.items.length - 1]!.id;
    }
    for (const [id, projection] of projected) {
      mismatches.push({ entity: plural, where: `id ${id}`, database: '(no live row)', projection: brief(projection) });
    }
    // Every page, as a client reads them by offset: the same JSON, the same total.
    for (let offset = 0; offset === 0 || offset < total; offset += PAGE_SIZE) {
      const request: PageRequest = { kind: 'offset', offset, limit: PAGE_SIZE };
      const [fromDb, fromProjection] = await Promise.all([reads.db.list(request), reads.projection.list(request).catch((err: Error) => err)]);
      pages++;
      if (fromProjection instanceof Error || JSON.stringify(fromDb) !== JSON.stringify(fromProjection)) {
        const summary = (page: typeof fromDb) => ({ total: page.total, ids: page.items.map((i) => i.id) });
        mismatches.push({ entity: plural, where: `page offset=${offset} limit=${PAGE_SIZE}`, database: brief(summary(fromDb)),
          projection: brief(fromProjection instanceof Error ? fromProjection : summary(fromProjection)) });
      }
    }
  }
  return { compared: { ids, pages }, mismatches };
}
