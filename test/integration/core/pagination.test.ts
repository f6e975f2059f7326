import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Application, EntityReads } from '../../../core/app.js';
import type { AppError } from '../../../core/errors.js';
import type { EntityQueries } from '../../../core/model/EntityQueries.js';
import { AGGREGATE_TYPES, entityOf, type AggregateType } from '../../../core/model/catalogue.js';
import { writeOriginalLayout } from '../../../core/projections/original/OriginalLayout.js';
import { pageBody, parsePageRequest, type PageRequest } from '../../../core/pagination.js';
import { boundedSelect } from '../../../core/queries/sql.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/** The seeded ids (1..N) less the one deleted by `before`: what every list must hold, in this order. */
const DELETED = { product: 10, customer: 3, order: 20 } as const;
const LIVE = {
  product: range(53).filter((id) => id !== DELETED.product),
  customer: range(41).filter((id) => id !== DELETED.customer),
  order: range(47).filter((id) => id !== DELETED.order),
} as const;

describe('pagination of lists, from MySQL and from the projections', () => {
  let app: Application;

  before(async () => {
    app = await createTestApp({ pageDefaultLimit: 7, pageMaxLimit: 20, listAllCap: 35 });
    await resetData(app);
    await seedSmall(app, { products: 53, customers: 41, orders: 47, itemsPerOrder: 2, seed: 9 });
    // a few holes in the id sequence, as deletes leave them
    await app.commands.product.delete(DELETED.product);
    await app.commands.customer.delete(DELETED.customer);
    await app.commands.order.delete(DELETED.order);
  });
  after(async () => {
    await app.close();
  });

  for (const type of AGGREGATE_TYPES) {
    for (const source of ['db', 'projection'] as const) {
      describe(`${type}s from ${source}`, () => {
        const reads = () => app.reads[type][source] as EntityQueries<{ id: number }>;

        it('the default limit applies and total counts every live entity', async () => {
          const page = await reads().list(parsePageRequest({}, app.config));
          expect(page.items).to.have.length(7);
          expect(page.items.map((i) => i.id)).to.deep.equal(LIVE[type].slice(0, 7));
          expect(page.total).to.equal(LIVE[type].length);
        });

        it('offset pages are disjoint, in id order, and together complete', async () => {
          const seen: number[] = [];
          let total = 0;
          for (let offset = 0; ; offset += 20) {
            const page = await reads().list(parsePageRequest({ limit: '20', offset: String(offset) }, app.config));
            total = page.total;
            seen.push(...page.items.map((i) => i.id));
            if (page.items.length < 20) break;
          }
          expect(new Set(seen).size).to.equal(seen.length);
          expect(seen).to.deep.equal([...seen].sort((a, b) => a - b));
          expect(seen).to.have.length(total);
          expect(seen).to.deep.equal(LIVE[type]);
        });

        it('cursor pages (after=last id) give the same sequence as offset pages', async () => {
          const viaOffset = (await reads().list({ kind: 'offset', offset: 0, limit: 1000 })).items.map((i) => i.id);
          const viaCursor: number[] = [];
          let request: PageRequest = parsePageRequest({ limit: '6' }, app.config);
          for (;;) {
            const page = await reads().list(request);
            viaCursor.push(...page.items.map((i) => i.id));
            const next = pageBody('items', request, page).next_after as number | null;
            if (next === null) break;
            request = parsePageRequest({ limit: '6', after: String(next) }, app.config);
          }
          expect(viaCursor).to.deep.equal(viaOffset);
          expect(viaCursor).to.deep.equal(LIVE[type]);
        });

        it('an offset past the end gives an empty page with the exact total', async () => {
          const page = await reads().list({ kind: 'offset', offset: 10_000, limit: 5 });
          expect(page.items).to.deep.equal([]);
          expect(page.total).to.equal(LIVE[type].length);
          const justPast = await reads().list(parsePageRequest({ limit: '5', offset: String(LIVE[type].length) }, app.config));
          expect(justPast).to.deep.include({ items: [], total: LIVE[type].length });
        });

        it('offset 0, offset 1 and the last page hold exactly the expected ids, with the exact total', async () => {
          const live = LIVE[type];
          const idsAt = async (query: Record<string, string>) => {
            const page = await reads().list(parsePageRequest(query, app.config));
            expect(page.total, JSON.stringify(query)).to.equal(live.length);
            return page.items.map((i) => i.id);
          };
          expect(await idsAt({ limit: '5' })).to.deep.equal(live.slice(0, 5));
          expect(await idsAt({ limit: '5', offset: '0' })).to.deep.equal(live.slice(0, 5));
          expect(await idsAt({ limit: '5', offset: '1' })).to.deep.equal(live.slice(1, 6));
          expect(await idsAt({ limit: '5', offset: '2' })).to.deep.equal(live.slice(2, 7));
          // the last page, short: 3 items from total - 3
          expect(await idsAt({ limit: '5', offset: String(live.length - 3) })).to.deep.equal(live.slice(-3));
          expect(await idsAt({ limit: '5', offset: String(live.length - 1) })).to.deep.equal(live.slice(-1));
          // a page across the hole the delete left
          const hole = DELETED[type];
          const holeAt = live.indexOf(hole + 1);
          expect(await idsAt({ limit: '3', offset: String(holeAt - 1) })).to.deep.equal([hole - 1, hole + 1, hole + 2]);
        });

        it('limit 1 and limit PAGE_MAX_LIMIT (20 here) give that many items; 21 is refused naming limit', async () => {
          const live = LIVE[type];
          const one = await reads().list(parsePageRequest({ limit: '1' }, app.config));
          expect(one.items.map((i) => i.id)).to.deep.equal([live[0]]);
          const second = await reads().list(parsePageRequest({ limit: '1', offset: '1' }, app.config));
          expect(second.items.map((i) => i.id)).to.deep.equal([live[1]]);
          const max = await reads().list(parsePageRequest({ limit: '20' }, app.config));
          expect(max.items.map((i) => i.id)).to.deep.equal(live.slice(0, 20));
          let refused: AppError | undefined;
          try {
            parsePageRequest({ limit: '21' }, app.config);
          } catch (err) {
            refused = err as AppError;
          }
          expect(refused?.code).to.equal('VALIDATION_FAILED');
          expect(refused?.fields.map((f) => f.field)).to.deep.equal(['limit']);
        });

        it('cursors: after=0 is the first page, after the deleted id skips it, after the last id is empty', async () => {
          const live = LIVE[type];
          const idsAfter = async (after: number, limit = 4) =>
            (await reads().list({ kind: 'after', after, limit })).items.map((i) => i.id);
          expect(await idsAfter(0)).to.deep.equal(live.slice(0, 4));
          expect(await idsAfter(1)).to.deep.equal(live.slice(1, 5));
          expect(await idsAfter(DELETED[type] - 1, 2)).to.deep.equal([DELETED[type] + 1, DELETED[type] + 2]);
          expect(await idsAfter(live[live.length - 2]!)).to.deep.equal([live[live.length - 1]]);
          expect(await idsAfter(live[live.length - 1]!)).to.deep.equal([]);
          expect((await reads().list({ kind: 'after', after: live[live.length - 1]!, limit: 4 })).total).to.equal(live.length);
        });

        it('limit=all is capped at LIST_ALL_CAP (35 here): exactly the first 35 ids', async () => {
          const page = await reads().list(parsePageRequest({ limit: 'all' }, app.config));
          expect(page.items.map((i) => i.id)).to.deep.equal(LIVE[type].slice(0, 35));
          expect(page.total).to.equal(LIVE[type].length);
        });
      });
    }

    it(`${type}s: the same page is the same JSON from MySQL and from the projections`, async () => {
      for (const query of [{}, { limit: '20', offset: '15' }, { limit: '5', offset: '0' }, { limit: '5', offset: '1' }, { limit: '20', offset: '40' }, { limit: '1' }, { limit: '5', after: '9' }, { limit: 'all' }]) {
        const request = parsePageRequest(query, app.config);
        const { db: dbReads, projection: projectionReads } = app.reads[type] as EntityReads<{ id: number }>;
        const [db, projection] = await Promise.all([dbReads.list(request), projectionReads.list(request)]);
        expect(JSON.stringify(pageBody(`${type}s`, request, projection))).to.equal(JSON.stringify(pageBody(`${type}s`, request, db)));
      }
      for (const id of [1, 2, 11, 40]) {
        expect(JSON.stringify(await app.reads[type].projection.get(id))).to.equal(JSON.stringify(await app.reads[type].db.get(id)));
      }
    });
  }

  describe("the original demo's read path (PROJECTION_READS), stage by stage", () => {
    const stages = ['original', 'original-mget', 'original-pooled', 'original-paged'] as const;
    const apps = new Map<string, Application>();

    before(async () => {
      for (const type of AGGREGATE_TYPES) await writeOriginalLayout(app.knex, app.redis, app.config.redisPrefix, type, 10);
      for (const stage of stages) apps.set(stage, await createTestApp({ pageDefaultLimit: 7, pageMaxLimit: 20, listAllCap: 35, projectionReads: stage }));
    });
    after(async () => {
      for (const stageApp of apps.values()) await stageApp.close();
      const written = await app.redis.keys(`${app.config.redisPrefix}original:*`);
      if (written.length > 0) await app.redis.unlink(...written);
    });

    const queries = [{}, { limit: '5', offset: '0' }, { limit: '5', offset: '1' }, { limit: '1' }, { limit: '20' }, { limit: '20', offset: '40' },
      { limit: '5', offset: '10000' }, { limit: '4', after: '9' }, { limit: '4', after: '0' }, { limit: 'all' }];

    for (const type of AGGREGATE_TYPES) {
      it(`${type}s: original-paged answers every page with the JSON of the MySQL read (offset 0, 1, last, limit 1 and max, after, all)`, async () => {
        const paged = apps.get('original-paged')!.reads[type].projection as EntityQueries<{ id: number }>;
        for (const query of queries) {
          const request = parsePageRequest(query, app.config);
          const [db, original] = await Promise.all([(app.reads[type].db as EntityQueries<{ id: number }>).list(request), paged.list(request)]);
          expect(original.items.length, JSON.stringify(query)).to.equal(db.items.length);
          expect(JSON.stringify(pageBody(`${type}s`, request, original)), JSON.stringify(query)).to.equal(JSON.stringify(pageBody(`${type}s`, request, db)));
        }
        expect(JSON.stringify(await paged.get(2))).to.equal(JSON.stringify(await app.reads[type].db.get(2)));
      });

      for (const stage of ['original', 'original-mget', 'original-pooled'] as const) {
        it(`${type}s: ${stage} reads the whole list whatever the page, as the original did, and the same entities`, async () => {
          const reads = apps.get(stage)!.reads[type].projection as EntityQueries<{ id: number }>;
          const whole = await (app.reads[type].db as EntityQueries<{ id: number }>).list({ kind: 'offset', offset: 0, limit: 1000 });
          const page = await reads.list(parsePageRequest({ limit: '5', offset: '1' }, app.config));
          expect(page.total).to.equal(LIVE[type].length);
          expect(JSON.stringify(page.items)).to.equal(JSON.stringify(whole.items));
          expect(JSON.stringify(await reads.get(2))).to.equal(JSON.stringify(await app.reads[type].db.get(2)));
        });
      }
    }
  });
});

describe('deep pages from MySQL: the deferred join over the list-order indexes, DB_MAX_OFFSET and the statement time limit', function () {
  this.timeout(120_000);
  const SIZE = { product: 2500, customer: 2200, order: 2100 } as const;
  // holes at the start, across page edges, at the bound, and at the end
  const HOLES = [1, 2, 700, 701, 1500, 1501, 1502, 2099, 2100];
  const MAX_OFFSET = 1500;
  const LIMIT = 97;
  const live = (type: AggregateType) => range(SIZE[type]).filter((id) => !HOLES.includes(id));
  let app: Application;

  before(async () => {
    app = await createTestApp({ dbMaxOffset: MAX_OFFSET, mysqlStatementTimeoutMs: 5_000 });
    await resetData(app);
    await seedSmall(app, { products: SIZE.product, customers: SIZE.customer, orders: SIZE.order, itemsPerOrder: 1, seed: 5 });
    for (const type of AGGREGATE_TYPES) {
      for (const id of HOLES) await app.commands[type].delete(id);
    }
  });
  after(async () => {
    await resetData(app);
    await app.close();
  });

  const ids = (page: { items: { id: number }[] }) => page.items.map((i) => i.id);

  for (const type of AGGREGATE_TYPES) {
    const db = () => app.reads[type].db as EntityQueries<{ id: number }>;
    const projection = () => app.reads[type].projection as EntityQueries<{ id: number }>;

    it(`${type}s from MySQL: offset pages at every depth to DB_MAX_OFFSET, then cursor pages, are disjoint and complete`, async () => {
      const expected = live(type);
      const seen: number[] = [];
      let offset = 0;
      for (; offset <= MAX_OFFSET; offset += LIMIT) {
        const page = await db().list({ kind: 'offset', offset, limit: LIMIT });
        expect(ids(page), `offset ${offset}`).to.deep.equal(expected.slice(offset, offset + LIMIT));
        expect(page.total).to.equal(expected.length);
        seen.push(...ids(page));
      }
      for (let after = seen[seen.length - 1]!; ;) {
        const page = await db().list({ kind: 'after', after, limit: LIMIT });
        if (page.items.length === 0) break;
        seen.push(...ids(page));
        after = seen[seen.length - 1]!;
      }
      expect(new Set(seen).size).to.equal(seen.length);
      expect(seen).to.deep.equal(expected);
    });

    it(`${type}s from the projections: offset pages at every depth are disjoint, complete, and the JSON of MySQL's where both serve`, async () => {
      const expected = live(type);
      const seen: number[] = [];
      for (let offset = 0; offset < expected.length + LIMIT; offset += LIMIT) {
        const request: PageRequest = { kind: 'offset', offset, limit: LIMIT };
        const page = await projection().list(request);
        expect(ids(page), `offset ${offset}`).to.deep.equal(expected.slice(offset, offset + LIMIT));
        seen.push(...ids(page));
        if (offset <= MAX_OFFSET) {
          expect(JSON.stringify(pageBody('items', request, page)), `offset ${offset}`).to.equal(JSON.stringify(pageBody('items', request, await db().list(request))));
        }
      }
      expect(seen).to.deep.equal(expected);
    });

    it(`${type}s: offset DB_MAX_OFFSET is served by MySQL, one more is a 400 on offset pointing at the cursor; the projections serve it`, async () => {
      const expected = live(type);
      expect(ids(await db().list({ kind: 'offset', offset: MAX_OFFSET, limit: 5 }))).to.deep.equal(expected.slice(MAX_OFFSET, MAX_OFFSET + 5));
      let refused: AppError | undefined;
      try {
        await db().list(parsePageRequest({ limit: '5', offset: String(MAX_OFFSET + 1) }, app.config));
      } catch (err) {
        refused = err as AppError;
      }
      expect(refused?.code).to.equal('VALIDATION_FAILED');
      expect(refused?.status).to.equal(400);
      expect(refused?.fields).to.have.length(1);
      expect(refused?.fields[0]?.field).to.equal('offset');
      expect(refused?.fields[0]?.message).to.match(/at most 1500 on the database routes.*after=/);
      expect(ids(await projection().list({ kind: 'offset', offset: MAX_OFFSET + 1, limit: 5 }))).to.deep.equal(expected.slice(MAX_OFFSET + 1, MAX_OFFSET + 6));
      // the cursor has no bound: past the deepest offset, to the last entity
      const deep = expected[expected.length - 4]!;
      expect(ids(await db().list({ kind: 'after', after: deep, limit: 5 }))).to.deep.equal(expected.slice(-3));
    });

    it(`${type}s: the page's ids are read from the list-order index alone (EXPLAIN: Using index), its rows by primary key`, async () => {
      const issued: Array<{ sql: string; bindings: readonly unknown[] }> = [];
      const listen = (query: { sql: string; bindings: readonly unknown[] }) => issued.push(query);
      app.knex.on('query', listen);
      try {
        await db().list({ kind: 'offset', offset: 1200, limit: 50 });
      } finally {
        app.knex.off('query', listen);
      }
      const table = entityOf(type).table;
      const pageQuery = issued.find(({ sql }) => sql.includes(`(select \`id\` from \`${table}\``));
      expect(pageQuery, issued.map((q) => q.sql).join('\n')).to.not.equal(undefined);
      expect(pageQuery!.sql).to.match(/^SET STATEMENT max_statement_time=5\.000 FOR /);
      const explain = `EXPLAIN ${pageQuery!.sql.replace(/^SET STATEMENT \S+ FOR /, '')}`;
      const [plan] = (await app.knex.raw(explain, pageQuery!.bindings as Knex.Value[])) as [Array<{ select_type: string; table: string; type: string; key: string | null; Extra: string }>];
      const inner = plan.find((row) => row.select_type === 'DERIVED');
      expect(inner, JSON.stringify(plan)).to.include({ table, key: type === 'order' ? 'orders_list_id' : `${table}_live_id` });
      expect(inner!.Extra, JSON.stringify(plan)).to.include('Using index');
      const rows = plan.find((row) => row.select_type === 'PRIMARY' && row.table === (type === 'order' ? 'o' : 't'));
      expect(rows, JSON.stringify(plan)).to.include({ type: 'eq_ref', key: 'PRIMARY' });
    });

    it(`${type}s: a cursor page is a range from the cursor (EXPLAIN: range), not a scan of every entry below it`, async () => {
      const issued: Array<{ sql: string; bindings: readonly unknown[] }> = [];
      const listen = (query: { sql: string; bindings: readonly unknown[] }) => issued.push(query);
      app.knex.on('query', listen);
      try {
        await db().list({ kind: 'after', after: 1200, limit: 50 });
      } finally {
        app.knex.off('query', listen);
      }
      const table = entityOf(type).table;
      const pageQuery = issued.find(({ sql }) => sql.includes(`from \`${table}\``) && sql.includes(' > ?'));
      expect(pageQuery, issued.map((q) => q.sql).join('\n')).to.not.equal(undefined);
      const explain = `EXPLAIN ${pageQuery!.sql.replace(/^SET STATEMENT \S+ FOR /, '')}`;
      const [plan] = (await app.knex.raw(explain, pageQuery!.bindings as Knex.Value[])) as [Array<{ table: string; type: string; key: string | null }>];
      // With (deleted_at, id) as the list-order index MariaDB chose `ref` on deleted_at and stepped over every live
      // entry below the cursor: 3× slower at 10,000 rows in, growing with depth.
      const scan = plan.find((row) => row.table === (type === 'order' ? 'o' : table));
      expect(scan, JSON.stringify(plan)).to.include({ type: 'range' });
    });
  }

  it('a SELECT past MYSQL_STATEMENT_TIMEOUT_MS is stopped by the server: QUERY_TIMEOUT naming the limit and the cursor, and the connection is usable after', async () => {
    const one = await createTestApp({ mysqlPoolMax: 1 });
    try {
      const select = boundedSelect(one.knex, 50);
      let cut: AppError | undefined;
      try {
        await select(one.knex.select(one.knex.raw('SLEEP(5) AS slept')));
      } catch (err) {
        cut = err as AppError;
      }
      expect(cut?.code).to.equal('QUERY_TIMEOUT');
      expect(cut?.status).to.equal(503);
      expect(cut?.message).to.match(/longer than 50 ms.*after=/);
      // the pool's one connection answers the next statement, and the server runs nothing left over from the cut one
      expect(await select<{ n: number }>(one.knex.select(one.knex.raw('1 AS n')))).to.deep.equal([{ n: 1 }]);
      const [running] = (await one.knex.raw("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '%SLEEP(5)%' AND ID <> CONNECTION_ID()")) as [Array<{ n: number }>];
      expect(Number(running[0]!.n)).to.equal(0);
      // 0 is no limit: the same statement shape runs to its end
      expect(await boundedSelect(one.knex, 0)<{ slept: number }>(one.knex.select(one.knex.raw('SLEEP(0.2) AS slept')))).to.deep.equal([{ slept: 0 }]);
    } finally {
      await one.close();
    }
  });
});
