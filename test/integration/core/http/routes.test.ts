import { expect } from 'chai';
import type { Application } from '../../../../core/app.js';
import { Tables } from '../../../../core/db/tables.js';
import { RequestPipeline } from '../../../../core/http/RequestPipeline.js';
import type { HttpRequest, HttpResponse } from '../../../../core/http/types.js';
import { silentLogger } from '../../../../core/logger.js';
import { createTestApp, rebuildAllWhenFree, resetData, seedSmall } from '../../../support/fixtures.js';

// The response to a write is what was stored: for tricky but valid text (white space and U+FEFF around values,
// CR/LF inside, accents, combining marks, emoji, 4-byte characters, NUL, limits counted in characters), the
// POST/PUT answer equals the MySQL row, the projection written at once, the projection a rebuild makes from
// MySQL, and both GET routes byte for byte.

type Entity = 'product' | 'customer' | 'order';
type Fields = Record<string, unknown>;

const json = (method: string, path: string, body: unknown): HttpRequest =>
  ({ method, path, query: '', contentType: 'application/json', body: Buffer.from(JSON.stringify(body)) });
const form = (method: string, path: string, fields: Record<string, string>): HttpRequest =>
  ({ method, path, query: '', contentType: 'application/x-www-form-urlencoded', body: Buffer.from(new URLSearchParams(fields).toString()) });
const get = (path: string): HttpRequest => ({ method: 'GET', path, query: '', contentType: undefined, body: Buffer.alloc(0) });

// Around values: what String#trim removes (space, tab, CR, LF, NBSP, U+FEFF, U+2028, U+3000 are some of it).
const AROUND = ' \t\r\n\u00a0\ufeff\u2028\u3000';
const pad = (value: string) => `${AROUND}${value}${AROUND}`;

describe('write routes: the response is what MySQL and Redis then hold', () => {
  let app: Application;
  let pipeline: RequestPipeline;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    pipeline = new RequestPipeline({ context: { app, metricsText: async () => ({ contentType: 'text/plain', body: '' }) }, logger: silentLogger });
  });
  after(async () => { await app.close(); });

  const plural = { product: 'products', customer: 'customers', order: 'orders' } as const;

  /** The entity a write answered with, after checking it against every place it is kept. */
  async function written(entity: Entity, response: HttpResponse, expected: Fields): Promise<Fields & { id: number }> {
    expect(response.status, response.body).to.be.oneOf([200, 201]);
    const answered = (JSON.parse(response.body) as Record<string, Fields & { id: number }>)[entity]!;
    expect(answered).to.deep.include(expected);
    const { id } = answered;
    expect(await app.reads[entity].db.get(id), 'MySQL').to.deep.equal(answered);
    expect(await app.reads[entity].projection.get(id), 'the projection written after the commit').to.deep.equal(answered);
    for (const path of [`/en/${plural[entity]}/db/${id}`, `/en/${plural[entity]}/projection/${id}`]) {
      const read = await pipeline.handle(get(path));
      expect(read.status, path).to.equal(200);
      expect(read.body, path).to.equal(JSON.stringify({ [entity]: answered }));
    }
    const [event] = await app.knex(Tables.events).where({ aggregate_type: entity, aggregate_id: id }).orderBy('position', 'desc').limit(1);
    expect(JSON.parse(event.payload), 'the outbox').to.deep.equal(answered);
    return answered;
  }

  const name = 'Café 😀 naïve e\u0301 𝄞 👨‍👩‍👧 Ω';
  const description = `line 1\r\nline 2\n\ttabbed \u0000 nul, \u2028 separator, ${'€'.repeat(100)} ${'😀'.repeat(100)}`;
  const longest = '𝄞'.repeat(255);
  const customer = {
    name: 'Zoë Ñúñez-Łukasiewicz 🙂', email: 'zoë.😀@exämple.com', address: '1 Rue de l\'Église\r\n2e étage',
    city: 'Zürich', postal_code: '🏠'.repeat(20), country: 'Österreich',
  };
  const ids: Partial<Record<Entity, number>> = {};

  it('product, as JSON: trimmed values and the rest exactly; created_at with an offset stored in UTC', async () => {
    const response = await pipeline.handle(json('POST', '/en/products', {
      name: pad(name), description: pad(description), price: ' 12.30 ', created_at: ' 2026-02-28T23:30:00-01:00 ',
    }));
    const product = await written('product', response, { name, description, price: '12.30', created_at: '2026-03-01T00:30:00Z' });
    const row = await app.knex(Tables.products).where({ id: product.id }).first();
    expect([row.name, row.description, row.created_at]).to.deep.equal([name, description, '2026-03-01 00:30:00']);
    ids.product = product.id;
  });

  it('product, as a form (percent-encoded, + for spaces), at the limits in characters: 255 four-byte characters', async () => {
    const response = await pipeline.handle(form('POST', '/en/products', {
      name: pad(longest), description: pad('😀'.repeat(5000)), price: '1000000.00', created_at: '1764000000',
    }));
    const product = await written('product', response, { name: longest, description: '😀'.repeat(5000), created_at: '2025-11-24T16:00:00Z' });
    const row = await app.knex(Tables.products).where({ id: product.id }).first();
    expect(Buffer.byteLength(row.name)).to.equal(1020);
  });

  it('product update: the answer is the row after it', async () => {
    const response = await pipeline.handle(json('PUT', `/en/products/${ids.product}`, { name: pad('Ünïcödé ✓'), description: '' }));
    await written('product', response, { id: ids.product, name: 'Ünïcödé ✓', description: '', price: '12.30' });
    const formUpdate = await pipeline.handle(form('PUT', `/en/products/${ids.product}`, { description: pad(description) }));
    await written('product', formUpdate, { name: 'Ünïcödé ✓', description });
  });

  it('customer: every text field, the e-mail as given (case kept)', async () => {
    const padded = Object.fromEntries(Object.entries(customer).map(([k, v]) => [k, pad(v)]));
    const answered = await written('customer', await pipeline.handle(json('POST', '/en/customers', padded)), customer);
    const row = await app.knex(Tables.customers).where({ id: answered.id }).first();
    for (const [field, value] of Object.entries(customer)) expect(row[field], field).to.equal(value);
    ids.customer = answered.id;
  });

  it('order: its number trimmed, the customer\'s name and e-mail as stored', async () => {
    const answered = await written('order', await pipeline.handle(json('POST', '/en/orders', {
      customer_id: ids.customer, order_number: pad('Nº 😀-1'), status: pad('paid'), items: [{ product_id: ids.product, quantity: 2 }],
    })), { order_number: 'Nº 😀-1', status: 'paid', customer_name: customer.name, customer_email: customer.email });
    expect((answered.items as Fields[])[0]).to.include({ name: 'Ünïcödé ✓', quantity: 2 });
    ids.order = answered.id;
  });

  it('a rebuild from MySQL makes the same projections the writes answered with', async () => {
    const projections = () => Promise.all((['product', 'customer', 'order'] as const).map((e) => app.reads[e].projection.get(ids[e]!)));
    const answered = await projections();
    await rebuildAllWhenFree(app);
    expect(await projections()).to.deep.equal(answered);
  });
});
