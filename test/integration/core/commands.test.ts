import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import type { AppError, FieldError } from '../../../core/errors.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected the command to be rejected');
}

function fieldsOf(error: AppError): Record<string, string> {
  return Object.fromEntries(error.fields.map((f: FieldError) => [f.field, f.message]));
}

interface Counts { [table: string]: number; last_position: number; products: number; events: number }

async function tableCounts(app: Application): Promise<Counts> {
  const counts = {} as Counts;
  for (const table of [Tables.products, Tables.customers, Tables.orders, Tables.orderItems, Tables.events]) {
    const [row] = await app.knex(table).count({ n: '*' });
    counts[table] = Number(row!.n);
  }
  const [seq] = await app.knex(Tables.eventSequence).select('last_position');
  counts.last_position = Number(seq.last_position);
  return counts;
}

async function liveCounts(app: Application): Promise<Record<string, number>> {
  const rows = await app.knex(Tables.aggregateCounts).select('aggregate_type').sum({ live_count: 'live_count' }).groupBy('aggregate_type') as Array<{ aggregate_type: string; live_count: number }>;
  return Object.fromEntries(rows.map((r: { aggregate_type: string; live_count: number }) => [r.aggregate_type, Number(r.live_count)]));
}

describe('commands (MySQL write model + outbox)', () => {
  let app: Application;

  before(async () => {
    app = await createTestApp();
  });
  after(async () => {
    await app.close();
  });
  beforeEach(async () => {
    await resetData(app);
    await seedSmall(app);
  });

  describe('rows and events are written together', () => {
    it('create product writes the row, one ProductCreated event and bumps the live count', async () => {
      const before = await tableCounts(app);
      const product = await app.commands.product.create({ name: 'Sample Product', description: 'A sample', price: '99.99' });
      expect(product).to.include({ name: 'Sample Product', description: 'A sample', price: '99.99' });
      const row = await app.knex(Tables.products).where({ id: product.id }).first();
      expect(row.price_cents).to.equal(9999);
      const events = await app.knex(Tables.events).where({ aggregate_type: 'product', aggregate_id: product.id });
      expect(events).to.have.length(1);
      expect(events[0].event_type).to.equal('ProductCreated');
      expect(Number(events[0].position)).to.equal(before.last_position + 1);
      expect(JSON.parse(events[0].payload)).to.deep.equal(product);
      const after = await tableCounts(app);
      expect(after.products).to.equal(before.products + 1);
      expect(after.events).to.equal(before.events + 1);
      expect((await liveCounts(app)).product).to.equal(31);
    });

    it('accepts form-style strings: price "99.9" and "100" become 9990 and 10000 cents', async () => {
      const a = await app.commands.product.create({ name: 'A', price: '99.9' });
      const b = await app.commands.product.create({ name: 'B', price: '100' });
      expect(a.price).to.equal('99.90');
      expect(b.price).to.equal('100.00');
    });

    it('update product changes only the given fields and appends ProductUpdated', async () => {
      const before = await app.reads.product.db.get(3);
      const updated = await app.commands.product.update(3, { price: '12.50' });
      expect(updated).to.deep.equal({ ...before, price: '12.50' });
      const event = await app.knex(Tables.events).where({ aggregate_id: 3, event_type: 'ProductUpdated' }).first();
      expect(JSON.parse(event.payload)).to.deep.equal(updated);
    });

    it('delete product hides it from reads (soft delete), keeps orders showing it, appends ProductDeleted', async () => {
      const [item] = await app.knex(Tables.orderItems).select('order_id', 'product_id').limit(1);
      await app.commands.product.delete(item.product_id);
      expect((await rejection(app.reads.product.db.get(item.product_id))).code).to.equal('NOT_FOUND');
      const order = await app.reads.order.db.get(item.order_id);
      expect(order.items.map((i) => i.product_id)).to.include(item.product_id);
      expect(await app.knex(Tables.events).where({ event_type: 'ProductDeleted', aggregate_id: item.product_id })).to.have.length(1);
      expect((await rejection(app.commands.product.delete(item.product_id))).code).to.equal('NOT_FOUND');
    });

    it('create customer writes the row and CustomerCreated; a second customer with the same e-mail is a 409 on email', async () => {
      const customer = await app.commands.customer.create({
        name: 'John Doe', email: 'john.doe@example.com', address: '123 Main Street', city: 'Glasgow',
        postal_code: 'G1 1AA', country: 'United Kingdom', created_at: '1764000000',
      });
      expect(customer.created_at).to.equal('2025-11-24T16:00:00Z');
      expect(await app.knex(Tables.events).where({ event_type: 'CustomerCreated', aggregate_id: customer.id })).to.have.length(1);
      const before = await tableCounts(app);
      const error = await rejection(app.commands.customer.create({ name: 'Again', email: 'john.doe@example.com' }));
      expect(error.status).to.equal(409);
      expect(fieldsOf(error)).to.have.property('email');
      expect(await tableCounts(app)).to.deep.equal(before);
    });

    it('e-mail uniqueness compares case and nothing else: 409 for the same address in another case, 201 for addresses apart by an accent or an emoji', async () => {
      const create = (email: string) => app.commands.customer.create({ name: 'U', email });
      for (const email of ['😀x@example.com', '😁x@example.com', 'e.u@example.com', 'é.u@example.com', 'ß@example.com', 'ss@example.com', '𐐀@example.com']) {
        expect((await create(email)).email).to.equal(email);
      }
      for (const [taken, again] of [['😀x@example.com', '😀X@EXAMPLE.COM'], ['é.u@example.com', 'É.U@Example.Com'], ['𐐀@example.com', '𐐨@example.com'], ['john@x.io', 'JOHN@X.IO']]) {
        if (taken === 'john@x.io') await create(taken);
        const before = await tableCounts(app);
        const error = await rejection(create(again!));
        expect(error.code, again).to.equal('CONFLICT');
        expect(error.fields, again).to.deep.equal([{ field: 'email', message: 'is already used by another customer' }]);
        expect(await tableCounts(app)).to.deep.equal(before);
      }
    });

    it('a deleted customer frees the e-mail for a new customer', async () => {
      const first = await app.commands.customer.create({ name: 'A', email: 'a@example.com' });
      await app.commands.customer.delete(first.id);
      const second = await app.commands.customer.create({ name: 'B', email: 'a@example.com' });
      expect(second.id).to.not.equal(first.id);
    });

    it('create order takes unit prices from the products, computes totals and writes items and OrderCreated', async () => {
      const p1 = await app.reads.product.db.get(1);
      const p5 = await app.reads.product.db.get(5);
      const customer = await app.reads.customer.db.get(1);
      const order = await app.commands.order.create({ customer_id: 1, order_number: 'ORD-001', status: 'pending', items: [{ product_id: 1, quantity: 2 }, { product_id: 5, quantity: 1 }] });
      expect(order).to.include({ customer_id: 1, customer_name: customer.name, customer_email: customer.email, order_number: 'ORD-001', status: 'pending' });
      expect(order.items).to.deep.equal([
        { product_id: 1, name: p1.name, quantity: 2, price: p1.price, total: (Number(p1.price) * 2).toFixed(2) },
        { product_id: 5, name: p5.name, quantity: 1, price: p5.price, total: p5.price },
      ]);
      expect(order.total_amount).to.equal((Number(p1.price) * 2 + Number(p5.price)).toFixed(2));
      expect(await app.reads.order.db.get(order.id)).to.deep.equal(order);
      expect(await app.knex(Tables.orderItems).where({ order_id: order.id })).to.have.length(2);
      expect(await app.knex(Tables.events).where({ event_type: 'OrderCreated', aggregate_id: order.id })).to.have.length(1);
    });

    it('create order defaults order_number to ORD-<id> and status to pending; form strings are accepted for ids', async () => {
      const order = await app.commands.order.create({ customer_id: '2', items: [{ product_id: '3', quantity: '4' }] });
      expect(order.order_number).to.equal(`ORD-${String(order.id).padStart(8, '0')}`);
      expect(order.status).to.equal('pending');
      expect(order.items[0]!.quantity).to.equal(4);
    });

    it('delete order removes it and its items and appends OrderDeleted', async () => {
      await app.commands.order.delete(7);
      expect(await app.knex(Tables.orders).where({ id: 7 })).to.have.length(0);
      expect(await app.knex(Tables.orderItems).where({ order_id: 7 })).to.have.length(0);
      expect(await app.knex(Tables.events).where({ event_type: 'OrderDeleted', aggregate_id: 7 })).to.have.length(1);
      expect((await rejection(app.commands.order.delete(7))).code).to.equal('NOT_FOUND');
    });
  });

  describe('boundaries: every length-limited field takes exactly its maximum and refuses one more', () => {
    /** A string of exactly `n` characters (the last one outside ASCII: the limit is in characters, not bytes). */
    const chars = (n: number) => `${'x'.repeat(n - 1)}é`;
    /** A well-formed e-mail address of exactly `n` characters. */
    const email = (n: number) => `${'a'.repeat(n - '@example.com'.length)}@example.com`;

    type Entity = 'product' | 'customer' | 'order';
    const limits: Array<[title: string, entity: Entity, field: string, max: number, make: (n: number) => string, run: (a: Application, value: string) => Promise<{ id: number }>]> = [
      ['product create name', 'product', 'name', 255, chars, (a, v) => a.commands.product.create({ name: v, price: '1.00' })],
      ['product create description', 'product', 'description', 5000, chars, (a, v) => a.commands.product.create({ name: 'x', description: v, price: '1.00' })],
      ['product update name', 'product', 'name', 255, chars, (a, v) => a.commands.product.update(4, { name: v })],
      ['product update description', 'product', 'description', 5000, chars, (a, v) => a.commands.product.update(4, { description: v })],
      ['customer name', 'customer', 'name', 255, chars, (a, v) => a.commands.customer.create({ name: v, email: 'limit@example.com' })],
      ['customer email', 'customer', 'email', 255, email, (a, v) => a.commands.customer.create({ name: 'x', email: v })],
      ['customer address', 'customer', 'address', 255, chars, (a, v) => a.commands.customer.create({ name: 'x', email: 'limit@example.com', address: v })],
      ['customer city', 'customer', 'city', 100, chars, (a, v) => a.commands.customer.create({ name: 'x', email: 'limit@example.com', city: v })],
      ['customer postal_code', 'customer', 'postal_code', 20, chars, (a, v) => a.commands.customer.create({ name: 'x', email: 'limit@example.com', postal_code: v })],
      ['customer country', 'customer', 'country', 100, chars, (a, v) => a.commands.customer.create({ name: 'x', email: 'limit@example.com', country: v })],
      ['order order_number', 'order', 'order_number', 64, chars, (a, v) => a.commands.order.create({ customer_id: 1, order_number: v, items: [{ product_id: 1, quantity: 1 }] })],
    ];
    const tableOf = { product: Tables.products, customer: Tables.customers, order: Tables.orders } as const;

    for (const [title, entity, field, max, make, run] of limits) {
      it(`${title}: ${max} characters accepted and stored whole, ${max + 1} refused`, async () => {
        const value = make(max);
        expect(value).to.have.length(max);
        const result = await run(app, value) as { id: number } & Record<string, unknown>;
        expect(result[field]).to.equal(value);
        const row = await app.knex(tableOf[entity]).where({ id: result.id }).first();
        expect(row[field]).to.equal(value);
        expect(await app.reads[entity].db.get(result.id)).to.have.property(field, value);

        const before = await tableCounts(app);
        const error = await rejection(run(app, make(max + 1)));
        expect(error.code).to.equal('VALIDATION_FAILED');
        expect(fieldsOf(error)).to.deep.equal({ [field]: `must be at most ${max} characters` });
        expect(await tableCounts(app)).to.deep.equal(before);
      });
    }

    it('the limits count characters (code points), as MySQL does, not UTF-16 units: 255 emoji fit a name, 256 do not', async () => {
      const name = '😀'.repeat(255);
      expect(name).to.have.length(510);
      const product = await app.commands.product.create({ name, description: '𝄞'.repeat(5000), price: '1.00' });
      const row = await app.knex(Tables.products).where({ id: product.id }).first();
      expect([row.name, row.description]).to.deep.equal([name, '𝄞'.repeat(5000)]);
      expect(await app.reads.product.db.get(product.id)).to.deep.equal(product);
      expect(fieldsOf(await rejection(app.commands.product.create({ name: `${name}😀`, price: '1.00' })))).to.deep.equal({ name: 'must be at most 255 characters' });
      const order = await app.commands.order.create({ customer_id: 1, order_number: '🧾'.repeat(64), items: [{ product_id: 1, quantity: 1 }] });
      expect((await app.knex(Tables.orders).where({ id: order.id }).first()).order_number).to.equal('🧾'.repeat(64));
    });

    it('an empty name is refused, one character is accepted; optional customer fields may be empty', async () => {
      expect(fieldsOf(await rejection(app.commands.product.create({ name: '', price: '1.00' })))).to.deep.equal({ name: 'must not be empty' });
      expect(fieldsOf(await rejection(app.commands.customer.create({ name: '', email: 'e@example.com' })))).to.deep.equal({ name: 'must not be empty' });
      expect((await app.commands.product.create({ name: 'x', price: '1.00' })).name).to.equal('x');
      const customer = await app.commands.customer.create({ name: 'y', email: 'e@example.com', address: '', city: '', postal_code: '', country: '' });
      expect(customer).to.include({ name: 'y', address: '', city: '', postal_code: '', country: '' });
    });

    it('price: 0.01 and 1000000.00 accepted, 1000000.01 refused', async () => {
      expect((await app.commands.product.create({ name: 'cheap', price: '0.01' })).price).to.equal('0.01');
      expect((await app.commands.product.create({ name: 'dear', price: '1000000.00' })).price).to.equal('1000000.00');
      expect(fieldsOf(await rejection(app.commands.product.create({ name: 'too dear', price: '1000000.01' })))).to.deep.equal({ price: 'must be at most 1000000.00' });
    });

    it('order: quantity 1 and 10000 accepted (10001 refused), 100 items accepted (101 refused)', async () => {
      const order = await app.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }, { product_id: 2, quantity: 10_000 }] });
      expect(order.items.map((i) => i.quantity)).to.deep.equal([1, 10_000]);
      // One line per product: 100 distinct products.
      const productIds: number[] = (await app.knex(Tables.products).whereNull('deleted_at').orderBy('id').pluck('id')).slice(0, 100);
      while (productIds.length < 100) productIds.push((await app.commands.product.create({ name: `line ${productIds.length}`, price: '1.00' })).id);
      const many = await app.commands.order.create({ customer_id: 1, items: productIds.map((id) => ({ product_id: id, quantity: 1 })) });
      expect(many.items).to.have.length(100);
      expect(await app.knex(Tables.orderItems).where({ order_id: many.id })).to.have.length(100);
      expect(fieldsOf(await rejection(app.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 10_001 }] })))).to.deep.equal({ 'items[0].quantity': 'must be at most 10000' });
      const dear = await app.commands.product.create({ name: 'dearest', price: '1000000.00' });
      const largest = await app.commands.order.create({ customer_id: 1, items: [{ product_id: dear.id, quantity: 10_000 }] });
      expect(largest.total_amount).to.equal('10000000000.00');
      expect(await app.reads.order.db.get(largest.id)).to.deep.equal(largest);
      expect(fieldsOf(await rejection(app.commands.order.create({ customer_id: 1, items: Array.from({ length: 101 }, (_, i) => ({ product_id: i + 1, quantity: 1 })) })))).to.deep.equal({ items: 'must hold at most 100 items' });
    });

    it('order: one line per product — the same product twice is refused, naming the second line', async () => {
      const before = await app.knex(Tables.orders).count({ n: '*' }).first();
      expect(fieldsOf(await rejection(app.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }, { product_id: 2, quantity: 1 }, { product_id: 1, quantity: 2 }] }))))
        .to.deep.equal({ 'items[2].product_id': 'is already in items[0]; give one line per product with its quantity' });
      expect(await app.knex(Tables.orders).count({ n: '*' }).first()).to.deep.equal(before);
    });
  });

  describe('invalid commands write nothing and name the fields', () => {
    // [title, setup (writes it may make are done before the counts are taken), command, expected fields]
    const cases: Array<[string, (a: Application) => Promise<unknown>, (a: Application) => Promise<unknown>, Record<string, RegExp>]> = [];
    const noSetup = async () => undefined;
    const add = (title: string, run: (a: Application) => Promise<unknown>, fields: Record<string, RegExp>, setup: (a: Application) => Promise<unknown> = noSetup) =>
      cases.push([title, setup, run, fields]);

    add('missing fields', (a) => a.commands.product.create({}), { name: /required/, price: /required/ });
    add('wrong-typed name and price', (a) => a.commands.product.create({ name: 123, price: true }), { name: /string/, price: /decimal/ });
    add('price with 3 decimals', (a) => a.commands.product.create({ name: 'x', price: '1.999' }), { price: /at most 2 decimals/ });
    add('negative price', (a) => a.commands.product.create({ name: 'x', price: '-1.00' }), { price: /decimal/ });
    add('price out of range', (a) => a.commands.product.create({ name: 'x', price: '1000000.01' }), { price: /at most 1000000.00/ });
    add('name too long', (a) => a.commands.product.create({ name: 'x'.repeat(256), price: '1' }), { name: /at most 255/ });
    add('empty name', (a) => a.commands.product.create({ name: '   ', price: '1' }), { name: /empty/ });
    add('unknown field', (a) => a.commands.product.create({ name: 'x', price: '1', colour: 'red' }), { colour: /not a known field/ });
    add('product update with an unknown field', (a) => a.commands.product.update(1, { name: 'x', colour: 'red' }), { colour: /not a known field/ });
    add('update with nothing to change', (a) => a.commands.product.update(1, {}), { body: /at least one/ });
    add('customer with a bad e-mail', (a) => a.commands.customer.create({ name: 'x', email: 'not-an-email' }), { email: /e-mail/ });
    add('customer with a bad created_at', (a) => a.commands.customer.create({ name: 'x', email: 'x@y.z', created_at: 'yesterday' }), { created_at: /timestamp/ });
    add('created_at -1 (a sign is not Unix seconds)', (a) => a.commands.product.create({ name: 'x', price: '1', created_at: -1 }), { created_at: /Unix timestamp/ });
    add('created_at "-1"', (a) => a.commands.customer.create({ name: 'x', email: 'x@y.z', created_at: '-1' }), { created_at: /Unix timestamp/ });
    add('created_at 2026-02-30 (no such day)', (a) => a.commands.product.create({ name: 'x', price: '1', created_at: '2026-02-30' }), { created_at: /real calendar date/ });
    add('created_at 2026-13-01', (a) => a.commands.customer.create({ name: 'x', email: 'x@y.z', created_at: '2026-13-01' }), { created_at: /real calendar date/ });
    add('created_at at 24:61', (a) => a.commands.product.create({ name: 'x', price: '1', created_at: '2026-01-01T24:61:00Z' }), { created_at: /real calendar date/ });
    add('created_at before 1970', (a) => a.commands.product.create({ name: 'x', price: '1', created_at: '1969-12-31T23:59:59Z' }), { created_at: /from 1970/ });
    add('updated_at and id are the server\'s', (a) => a.commands.product.create({ name: 'x', price: '1', id: 5, updated_at: '2026-01-01' }), { id: /not a known field/, updated_at: /not a known field/ });
    add('created_at on an update', (a) => a.commands.product.update(1, { name: 'x', created_at: '2026-01-01' }), { created_at: /not a known field/ });
    add('a lone surrogate in a name', (a) => a.commands.product.create({ name: 'x\ud800y', price: '1' }), { name: /valid Unicode/ });
    add('a lone surrogate in an unknown field and in an order item', (a) => a.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }, { product_id: '\udc00', quantity: 1 }], x: ['\ud83d'] }),
      { 'items[1].product_id': /valid Unicode/, 'x[0]': /valid Unicode/ });
    add('a lone surrogate in an e-mail', (a) => a.commands.customer.create({ name: 'x', email: 'x\ud800@y.z' }), { email: /valid Unicode/ });
    add('a field name with a lone surrogate', (a) => a.commands.product.create({ name: 'x', price: '1', 'n\udfffame': 'y' }), { 'n\udfffame': /field name that is not valid Unicode/ });
    add('customer with an unknown field', (a) => a.commands.customer.create({ name: 'x', email: 'x@y.z', phone: '0123' }), { phone: /not a known field/ });
    add('order with an unknown field', (a) => a.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }], note: 'x' }), { note: /not a known field/ });
    add('order item with an unknown field', (a) => a.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1, price: '0.01' }] }), { 'items[0].price': /not a known field/ });
    add('order without items', (a) => a.commands.order.create({ customer_id: 1, items: [] }), { items: /at least one/ });
    add('order with 101 items', (a) => a.commands.order.create({ customer_id: 1, items: Array.from({ length: 101 }, () => ({ product_id: 1, quantity: 1 })) }), { items: /at most 100/ });
    add('order with a zero quantity and a wrong-typed product id', (a) => a.commands.order.create({ customer_id: 1, items: [{ product_id: 'one', quantity: 0 }] }),
      { 'items[0].product_id': /whole number/, 'items[0].quantity': /at least 1/ });
    add('order with a quantity of 10001', (a) => a.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 10_001 }] }), { 'items[0].quantity': /at most 10000/ });
    add('order with an unknown status', (a) => a.commands.order.create({ customer_id: 1, status: 'lost', items: [{ product_id: 1, quantity: 1 }] }), { status: /one of/ });
    add('order for a customer and a product that do not exist', (a) => a.commands.order.create({ customer_id: 999, items: [{ product_id: 1, quantity: 1 }, { product_id: 888, quantity: 1 }] }),
      { customer_id: /does not exist/, 'items[1].product_id': /does not exist/ });
    add('order with a deleted product', (a) => a.commands.order.create({ customer_id: 1, items: [{ product_id: 2, quantity: 1 }] }),
      { 'items[0].product_id': /does not exist/ }, (a) => a.commands.product.delete(2));
    add('a body that is not an object', (a) => a.commands.product.create([1, 2]), { body: /object/ });

    for (const [title, setup, run, expected] of cases) {
      it(`${title} → VALIDATION_FAILED naming ${Object.keys(expected).join(', ')}`, async () => {
        await setup(app);
        const before = { counts: await tableCounts(app), live: await liveCounts(app) };
        const error = await rejection(run(app));
        expect(error.code).to.equal('VALIDATION_FAILED');
        expect(error.status).to.equal(400);
        const fields = fieldsOf(error);
        for (const [field, pattern] of Object.entries(expected)) {
          expect(fields, `field ${field}`).to.have.property(field);
          expect(fields[field]).to.match(pattern);
        }
        expect({ counts: await tableCounts(app), live: await liveCounts(app) }).to.deep.equal(before);
      });
    }

    it('an invalid command leaves every table and the outbox untouched', async () => {
      const before = await tableCounts(app);
      await rejection(app.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }, { product_id: 9999, quantity: 1 }] }));
      await rejection(app.commands.product.update(1, { price: 'free' }));
      await rejection(app.commands.product.update(12345, { price: '1.00' }));
      expect(await tableCounts(app)).to.deep.equal(before);
    });
  });

  describe('deadlocks are retried (3 attempts in all)', () => {
    // A trigger on the outbox raises a real ER_LOCK_DEADLOCK (errno 1213, SQLSTATE 40001) while a budget lasts. The
    // budget and the attempt count live in a MEMORY table: not transactional, so the rollback of a failed attempt
    // does not undo them.
    async function deadlockOutbox(times: number): Promise<void> {
      await app.knex.raw('DROP TABLE IF EXISTS test_deadlock_budget');
      await app.knex.raw('CREATE TABLE test_deadlock_budget (id INT PRIMARY KEY, remaining INT NOT NULL, attempts INT NOT NULL) ENGINE=MEMORY');
      await app.knex.raw('INSERT INTO test_deadlock_budget VALUES (1, ?, 0)', [times]);
      await app.knex.raw('DROP TRIGGER IF EXISTS test_deadlock_events');
      await app.knex.raw(`CREATE TRIGGER test_deadlock_events BEFORE INSERT ON events FOR EACH ROW
        BEGIN
          UPDATE test_deadlock_budget SET attempts = attempts + 1 WHERE id = 1;
          IF (SELECT remaining FROM test_deadlock_budget WHERE id = 1) > 0 THEN
            UPDATE test_deadlock_budget SET remaining = remaining - 1 WHERE id = 1;
            SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'forced deadlock';
          END IF;
        END`);
    }
    const attempts = async () => Number((await app.knex('test_deadlock_budget').where({ id: 1 }).first()).attempts);
    afterEach(async () => {
      await app.knex.raw('DROP TRIGGER IF EXISTS test_deadlock_events');
      await app.knex.raw('DROP TABLE IF EXISTS test_deadlock_budget');
    });

    it('two deadlocks, then success on the third attempt: one row, one event, the live count up by one', async () => {
      const before = { counts: await tableCounts(app), live: await liveCounts(app) };
      await deadlockOutbox(2);
      const product = await app.commands.product.create({ name: 'Retried', price: '2.00' });
      expect(await attempts()).to.equal(3);
      expect(await app.knex(Tables.products).where({ name: 'Retried' })).to.have.length(1);
      const events = await app.knex(Tables.events).where({ aggregate_type: 'product', aggregate_id: product.id });
      expect(events.map((e) => [e.event_type, Number(e.position)])).to.deep.equal([['ProductCreated', before.counts.last_position + 1]]);
      expect(await tableCounts(app)).to.deep.equal({ ...before.counts, products: before.counts.products + 1, events: before.counts.events + 1, last_position: before.counts.last_position + 1 });
      expect(await liveCounts(app)).to.deep.equal({ ...before.live, product: before.live.product! + 1 });
      expect(await app.reads.product.projection.get(product.id)).to.deep.equal(product);
    });

    it('an order command is retried too', async () => {
      await deadlockOutbox(1);
      const order = await app.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }] });
      expect(await attempts()).to.equal(2);
      expect(await app.reads.order.db.get(order.id)).to.deep.equal(order);
      expect(await app.knex(Tables.orderItems).where({ order_id: order.id })).to.have.length(1);
    });

    it('a deadlock on every attempt stops after 3 attempts with the deadlock error, writing nothing', async () => {
      const before = { counts: await tableCounts(app), live: await liveCounts(app) };
      await deadlockOutbox(1_000);
      const error = await rejection(app.commands.product.create({ name: 'Never', price: '2.00' }));
      expect((error as unknown as { code: string }).code).to.equal('ER_LOCK_DEADLOCK');
      expect(await attempts()).to.equal(3);
      expect({ counts: await tableCounts(app), live: await liveCounts(app) }).to.deep.equal(before);
    });

    it('another error is not retried', async () => {
      await deadlockOutbox(0);
      await app.knex.raw('DROP TRIGGER IF EXISTS test_fail_once');
      await app.knex.raw(`CREATE TRIGGER test_fail_once BEFORE INSERT ON products FOR EACH ROW
        BEGIN IF NEW.name = 'Refused' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'forced failure'; END IF; END`);
      try {
        await rejection(app.commands.product.create({ name: 'Refused', price: '2.00' }));
        expect(await attempts()).to.equal(0);
      } finally {
        await app.knex.raw('DROP TRIGGER IF EXISTS test_fail_once');
      }
    });

    it('a real deadlock (two transactions locking two products in opposite order) is retried and the order committed', async () => {
      // The other transaction is made the heavier one (it has changed 9 customer rows), so InnoDB picks the
      // command as the victim; after the other transaction ends, the command's retry goes through.
      const other = await app.knex.transaction();
      try {
        await other.raw("UPDATE customers SET city = CONCAT(city, '!') WHERE id > 1");
        await other.raw('SELECT id FROM products WHERE id = 2 FOR UPDATE');
        const [[{ connection }]] = await other.raw('SELECT CONNECTION_ID() AS connection');
        const command = app.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }, { product_id: 2, quantity: 1 }] });
        command.catch(() => undefined);
        // wait until the command holds its share lock on product 1 and waits for product 2 (a wait on this
        // transaction: the server may have other clients)
        let waiting = 0;
        for (let i = 0; i < 250 && waiting === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          const [rows] = await app.knex.raw(`SELECT COUNT(*) AS n FROM information_schema.INNODB_LOCK_WAITS w
            JOIN information_schema.INNODB_TRX t ON t.trx_id = w.blocking_trx_id WHERE t.trx_mysql_thread_id = ?`, [connection]);
          waiting = Number(rows[0].n);
        }
        expect(waiting, 'the command waits for product 2').to.equal(1);
        // product 1 in the other order: a deadlock; InnoDB rolls the command back, and this lock is granted
        await other.raw('SELECT id FROM products WHERE id = 1 FOR UPDATE');
        await other.rollback();
        const order = await command;
        expect(order.items.map((i) => i.product_id)).to.deep.equal([1, 2]);
        expect(await app.reads.order.db.get(order.id)).to.deep.equal(order);
        expect(await app.knex(Tables.events).where({ event_type: 'OrderCreated', aggregate_id: order.id })).to.have.length(1);
      } finally {
        if (!other.isCompleted()) await other.rollback();
      }
    });
  });

  describe('a failure mid-transaction leaves nothing behind', () => {
    // A trigger makes the outbox insert fail, after the command has written its rows in the same transaction.
    async function failEventsOf(type: string): Promise<void> {
      await app.knex.raw('DROP TRIGGER IF EXISTS test_fail_events');
      await app.knex.raw(`CREATE TRIGGER test_fail_events BEFORE INSERT ON events FOR EACH ROW
        BEGIN IF NEW.event_type = '${type}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'forced failure'; END IF; END`);
    }
    afterEach(async () => {
      await app.knex.raw('DROP TRIGGER IF EXISTS test_fail_events');
    });

    for (const [type, run] of [
      ['ProductCreated', (a: Application) => a.commands.product.create({ name: 'x', price: '1.00' })],
      ['ProductUpdated', (a: Application) => a.commands.product.update(1, { name: 'renamed' })],
      ['ProductDeleted', (a: Application) => a.commands.product.delete(1)],
      ['CustomerCreated', (a: Application) => a.commands.customer.create({ name: 'x', email: 'x@example.com' })],
      ['CustomerDeleted', (a: Application) => a.commands.customer.delete(1)],
      ['OrderCreated', (a: Application) => a.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }] })],
      ['OrderDeleted', (a: Application) => a.commands.order.delete(1)],
    ] as const) {
      it(`${type}: rows, counters, outbox and projections are as before`, async () => {
        const snapshot = async () => ({
          counts: await tableCounts(app),
          liveCounts: await liveCounts(app),
          product1: await app.knex(Tables.products).where({ id: 1 }).first(),
          customer1: await app.knex(Tables.customers).where({ id: 1 }).first(),
          projections: [await app.repositories.product.count(), await app.repositories.customer.count(), await app.repositories.order.count()],
        });
        const before = await snapshot();
        await failEventsOf(type);
        const error = await rejection(run(app));
        expect(String((error as Error).message)).to.match(/forced failure/);
        expect(await snapshot()).to.deep.equal(before);
      });
    }
  });
});
