import { expect } from 'chai';
import type { AppError } from '../../../core/errors.js';
import { pageBody, pageBodyText, parsePageRequest, type PageRequest } from '../../../core/pagination.js';

const limits = { pageDefaultLimit: 50, pageMaxLimit: 500, listAllCap: 100_000 };

function fieldsOfFailure(query: Record<string, string>): string[] {
  try {
    parsePageRequest(query, limits);
  } catch (err) {
    expect((err as AppError).status).to.equal(400);
    return (err as AppError).fields.map((f) => f.field);
  }
  throw new Error(`expected ${JSON.stringify(query)} to be refused`);
}

describe('parsePageRequest', () => {
  it('defaults to the first page of the default size', () => {
    expect(parsePageRequest({}, limits)).to.deep.equal({ kind: 'offset', limit: 50, offset: 0 });
  });
  it('reads limit and offset, or limit and after', () => {
    expect(parsePageRequest({ limit: '10', offset: '30' }, limits)).to.deep.equal({ kind: 'offset', limit: 10, offset: 30 });
    expect(parsePageRequest({ limit: '10', after: '1234' }, limits)).to.deep.equal({ kind: 'after', limit: 10, after: 1234 });
  });
  it('limit=all means the whole list, up to the cap', () => {
    expect(parsePageRequest({ limit: 'all' }, limits)).to.deep.equal({ kind: 'offset', limit: 100_000, offset: 0 });
  });
  it('boundaries: limit 1 and PAGE_MAX_LIMIT accepted, 0 and max+1 refused; offset 0 and 1 kept as given', () => {
    expect(parsePageRequest({ limit: '1' }, limits)).to.deep.equal({ kind: 'offset', limit: 1, offset: 0 });
    expect(parsePageRequest({ limit: '500' }, limits)).to.deep.equal({ kind: 'offset', limit: 500, offset: 0 });
    expect(fieldsOfFailure({ limit: '501' })).to.deep.equal(['limit']);
    expect(fieldsOfFailure({ limit: '0' })).to.deep.equal(['limit']);
    expect(parsePageRequest({ offset: '0' }, limits)).to.deep.equal({ kind: 'offset', limit: 50, offset: 0 });
    expect(parsePageRequest({ offset: '1' }, limits)).to.deep.equal({ kind: 'offset', limit: 50, offset: 1 });
    expect(parsePageRequest({ after: '0' }, limits)).to.deep.equal({ kind: 'after', limit: 50, after: 0 });
    expect(parsePageRequest({ limit: '7' }, { ...limits, pageMaxLimit: 7 })).to.deep.equal({ kind: 'offset', limit: 7, offset: 0 });
    let refused: AppError | undefined;
    try {
      parsePageRequest({ limit: '8' }, { ...limits, pageMaxLimit: 7 });
    } catch (err) {
      refused = err as AppError;
    }
    expect(refused?.fields).to.deep.equal([{ field: 'limit', message: 'must be at most 7 (use "all" for the whole list, capped at 100000)' }]);
  });
  it('enforces the limits and names the offending parameter', () => {
    expect(fieldsOfFailure({ limit: '501' })).to.deep.equal(['limit']);
    expect(fieldsOfFailure({ limit: '0' })).to.deep.equal(['limit']);
    expect(fieldsOfFailure({ limit: '-5' })).to.deep.equal(['limit']);
    expect(fieldsOfFailure({ limit: 'ten' })).to.deep.equal(['limit']);
    expect(fieldsOfFailure({ offset: '1.5' })).to.deep.equal(['offset']);
    expect(fieldsOfFailure({ after: 'abc' })).to.deep.equal(['after']);
    expect(fieldsOfFailure({ offset: '1', after: '2' })).to.deep.equal(['after']);
    expect(fieldsOfFailure({ page: '2' })).to.deep.equal(['page']);
  });
});

describe('pageBody', () => {
  it('keeps the original wire shape and adds the paging fields', () => {
    const body = pageBody('products', { kind: 'offset', limit: 2, offset: 0 }, { items: [{ id: 4 }, { id: 9 }], total: 10 });
    expect(body).to.deep.equal({ products: [{ id: 4 }, { id: 9 }], total: 10, limit: 2, offset: 0, next_after: 9 });
  });
  it('a full page has the last id as next cursor, a page one short has none (limit 1 included)', () => {
    expect(pageBody('customers', { kind: 'offset', limit: 1, offset: 1 }, { items: [{ id: 2 }], total: 3 }).next_after).to.equal(2);
    expect(pageBody('customers', { kind: 'offset', limit: 3, offset: 1 }, { items: [{ id: 2 }, { id: 3 }], total: 3 }).next_after).to.equal(null);
    expect(pageBody('customers', { kind: 'offset', limit: 1, offset: 3 }, { items: [], total: 3 })).to.deep.equal({ customers: [], total: 3, limit: 1, offset: 3, next_after: null });
  });
  it('has no next cursor on a short (last) page', () => {
    const body = pageBody('orders', { kind: 'after', limit: 5, after: 9 }, { items: [{ id: 11 }], total: 10 });
    expect(body).to.deep.equal({ orders: [{ id: 11 }], total: 10, limit: 5, after: 9, next_after: null });
  });
});

describe('pageBodyText', () => {
  const items = [
    { id: 3, name: 'Café 😀 "quoted" \\ back\r\n\u2028', price: '1.00', description: null },
    { id: 8, name: 'Lamp', price: '2.50', description: 'tab\there' },
    { id: 21, name: '𝄞', price: '0.10', description: '' },
  ];
  /** The text path's view of a page of these items: their JSON texts and the last one's id. */
  const asTexts = (page: { items: typeof items; total: number }) =>
    ({ texts: page.items.map((item) => JSON.stringify(item)), total: page.total, lastId: page.items.at(-1)?.id });

  const cases: ReadonlyArray<[title: string, request: PageRequest, page: { items: typeof items; total: number }]> = [
    ['offset, first page, full', { kind: 'offset', limit: 2, offset: 0 }, { items: items.slice(0, 2), total: 3 }],
    ['offset, last page, short', { kind: 'offset', limit: 2, offset: 2 }, { items: items.slice(2), total: 3 }],
    ['offset, last page, exactly full', { kind: 'offset', limit: 1, offset: 2 }, { items: items.slice(2), total: 3 }],
    ['offset, past the end (empty)', { kind: 'offset', limit: 2, offset: 10 }, { items: [], total: 3 }],
    ['offset, empty list', { kind: 'offset', limit: 50, offset: 0 }, { items: [], total: 0 }],
    ['after, full', { kind: 'after', limit: 2, after: 0 }, { items: items.slice(0, 2), total: 3 }],
    ['after, short', { kind: 'after', limit: 2, after: 8 }, { items: items.slice(2), total: 3 }],
    ['after, past the last id (empty)', { kind: 'after', limit: 2, after: 21 }, { items: [], total: 3 }],
    ['limit=all (the cap, not reached)', { kind: 'offset', limit: 100_000, offset: 0 }, { items, total: 3 }],
    ['limit=all (the cap, reached)', { kind: 'offset', limit: 3, offset: 0 }, { items, total: 7 }],
  ];
  for (const [title, request, page] of cases) {
    it(`${title}: the same bytes as JSON.stringify(pageBody(…))`, () => {
      expect(pageBodyText('products', request, asTexts(page))).to.equal(JSON.stringify(pageBody('products', request, page)));
    });
  }

  it('next_after is the last id of a full page, null on a short one', () => {
    const full = JSON.parse(pageBodyText('orders', { kind: 'after', limit: 2, after: 0 }, asTexts({ items: items.slice(0, 2), total: 3 })));
    expect(full.next_after).to.equal(8);
    const short = JSON.parse(pageBodyText('orders', { kind: 'after', limit: 5, after: 0 }, asTexts({ items, total: 3 })));
    expect(short.next_after).to.equal(null);
  });
});
