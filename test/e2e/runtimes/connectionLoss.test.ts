import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Application } from '../../../core/app.js';
import { createKnex } from '../../../core/db/connection.js';
import { RUNTIME_NAMES, type LaunchedRuntime } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { waitingStatement } from '../../support/mysqlLocks.js';
import { call, startRuntime } from '../../support/runtimes.js';

// A MariaDB connection lost in the middle of a command's transaction (the server killed it, crashed, restarted):
// the command answers 503 on every runtime, whatever step of the transaction met the loss (mysql2 marks all of
// them `fatal`, also knex's ROLLBACK on the closed connection), and nothing of it is written.

/** What a command may have written: the rows and the outbox, to compare before and after. */
async function writtenState(app: Application): Promise<string> {
  const [products] = await app.knex.raw('SELECT id, name, price_cents, deleted_at FROM products ORDER BY id');
  const [orders] = await app.knex.raw('SELECT COUNT(*) AS n FROM orders');
  const [events] = await app.knex.raw('SELECT MAX(position) AS p, COUNT(*) AS n FROM events');
  return JSON.stringify({ products, orders, events });
}

describe('a MariaDB connection lost mid-transaction answers 503 on every runtime, writing nothing', function () {
  this.timeout(60_000);
  let app: Application;
  let blocker: Knex;
  let observer: Knex;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    blocker = createKnex(app.config.mysqlUrl, { poolMax: 1 });
    observer = createKnex(app.config.mysqlUrl, { poolMax: 1 });
  });
  after(async () => {
    await blocker.destroy();
    await observer.destroy();
    await app.close();
  });

  // Each command is made to wait for a row another transaction holds, and its connection is killed while it waits.
  const commands: ReadonlyArray<[name: string, method: string, path: string, body?: unknown]> = [
    ['update a product', 'PUT', '/en/products/3', { price: '7.77' }],
    ['delete a product', 'DELETE', '/en/products/3'],
    ['create an order holding the product', 'POST', '/en/orders', { customer_id: 1, items: [{ product_id: 3, quantity: 2 }] }],
  ];

  for (const name of RUNTIME_NAMES) {
    describe(name, () => {
      let runtime: LaunchedRuntime;
      before(async () => { runtime = await startRuntime(name); });
      after(async () => { await runtime.stop(); });

      for (const [what, method, path, body] of commands) {
        it(`${what}: 503 SERVICE_UNAVAILABLE, no row and no event written, and the next command succeeds`, async () => {
          const before = await writtenState(app);
          const held = await blocker.transaction();
          try {
            const [[holder]] = await held.raw('SELECT CONNECTION_ID() AS id') as [[{ id: number }]];
            await held.raw('SELECT id FROM products WHERE id = 3 FOR UPDATE');
            const answer = call(runtime.url, method, path, body);
            const command = await waitingStatement(observer, ['%for update%', '%lock in share mode%'], [Number(holder.id)]);
            await observer.raw(`KILL CONNECTION ${command}`);
            const lost = await answer;
            expect(lost.status, lost.text).to.equal(503);
            expect(lost.json).to.include({ code: 'SERVICE_UNAVAILABLE' });
            expect(lost.text).not.to.match(/at .*\.js:\d+/);
          } finally {
            await held.rollback();
          }
          expect(await writtenState(app), 'nothing written by the lost command').to.equal(before);
          const next = await call(runtime.url, 'POST', '/en/products', { name: `after the loss on ${name}`, price: '1.00' });
          expect(next.status, next.text).to.equal(201);
        });
      }
    });
  }
});
