import { expect } from 'chai';
import type { Application, EntityReads } from '../../core/app.js';
import type { EntityQueries } from '../../core/queries/EntityQueries.js';
import { AGGREGATE_TYPES } from '../../core/projections/ProjectionRebuilder.js';
import { pageBody, parsePageRequest, type PageRequest } from '../../core/pagination.js';
import { createTestApp, resetData, seedSmall } from '../support/fixtures.js';

describe('pagination of lists, from MySQL and from the projections', () => {
  let app: Application;

  before(async () => {
    app = await createTestApp({ pageDefaultLimit: 7, pageMaxLimit: 20, listAllCap: 35 });
    await resetData(app);
    await seedSmall(app, { products: 53, customers: 41, orders: 47, itemsPerOrder: 2, seed: 9 });
    // a few holes in the id sequence, as deletes leave them
    await app.commands.product.delete(10);
    await app.commands.customer.delete(3);
    await app.commands.order.delete(20);
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
          const all = await app.reads[type].db.list({ kind: 'offset', offset: 0, limit: 1000 });
          expect(page.total).to.equal(all.items.length);
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
        });

        it('limit=all reads the whole list up to the cap', async () => {
          const page = await reads().list(parsePageRequest({ limit: 'all' }, app.config));
          expect(page.items).to.have.length(Math.min(35, page.total));
        });

        it('an offset past the end gives an empty page with the total', async () => {
          const page = await reads().list({ kind: 'offset', offset: 10_000, limit: 5 });
          expect(page.items).to.deep.equal([]);
          expect(page.total).to.be.at.least(40);
        });
      });
    }

    it(`${type}s: the same page is the same JSON from MySQL and from the projections`, async () => {
      for (const query of [{}, { limit: '20', offset: '15' }, { limit: '5', after: '9' }, { limit: 'all' }]) {
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
});
