import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { RUNTIME_NAMES, type LaunchedRuntime } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { TcpProxy } from '../../support/net.js';
import { call, startRuntime, type Answer } from '../../support/runtimes.js';

/** Repeats a request until it gives `status` (or fails the test after `ms`). */
async function eventually(request: () => Promise<Answer>, status: number, ms = 15_000): Promise<Answer> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await request();
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`still ${answer.status} after ${ms} ms: ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function expectUnavailable(answer: Answer, what: string): void {
  expect(answer.status, `${what}: ${answer.text}`).to.equal(503);
  expect(answer.json.code, what).to.equal('SERVICE_UNAVAILABLE');
  expect(answer.json.error, what).to.be.a('string');
}

// Each runtime reaches MySQL and Redis through a TCP relay the test can cut: a real outage of the
// connection, the real servers behind it.
describe('runtimes when MySQL or Redis goes away', function () {
  this.timeout(90_000);
  let app: Application;
  let mysqlProxy: TcpProxy;
  let redisProxy: TcpProxy;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    const mysql = new URL(app.config.mysqlUrl);
    const redis = new URL(app.config.redisUrl);
    mysqlProxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) });
    redisProxy = await TcpProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) });
  });
  after(async () => {
    await mysqlProxy.cut();
    await redisProxy.cut();
    await app.close();
  });

  for (const name of RUNTIME_NAMES) {
    // Auto-pipelining queues commands for the next turn of the loop: they must fail as fast, and recover as well.
    const variants: Record<string, string>[] = name === 'fork' ? [{}, { FORK_PERSISTENT: '1' }] : [{}, { REDIS_AUTO_PIPELINING: '1' }];
    for (const variant of variants) {
      const label = 'FORK_PERSISTENT' in variant ? ' (persistent connections)' : 'REDIS_AUTO_PIPELINING' in variant ? ' (Redis auto-pipelining)' : '';
      describe(`${name}${label}`, () => {
        let runtime: LaunchedRuntime;

        before(async () => {
          const mysqlUrl = new URL(app.config.mysqlUrl);
          mysqlUrl.hostname = '127.0.0.1';
          mysqlUrl.port = String(mysqlProxy.port);
          const redisUrl = new URL(app.config.redisUrl);
          redisUrl.hostname = '127.0.0.1';
          redisUrl.port = String(redisProxy.port);
          runtime = await startRuntime(name, { MYSQL_URL: mysqlUrl.toString(), REDIS_URL: redisUrl.toString(), ...variant });
        });
        after(async () => {
          await mysqlProxy.restore();
          await redisProxy.restore();
          await runtime.stop();
        });

        it('MySQL down: MySQL reads and commands answer 503 with a JSON error; projections still serve; back when MySQL is', async () => {
          expect((await call(runtime.url, 'GET', '/en/products/db/1')).status).to.equal(200);
          await mysqlProxy.cut();
          expectUnavailable(await call(runtime.url, 'GET', '/en/products/db/1'), 'get from db');
          expectUnavailable(await call(runtime.url, 'GET', '/en/orders/db'), 'list from db');
          expectUnavailable(await call(runtime.url, 'POST', '/en/products', { name: 'During MySQL outage', price: '1.00' }), 'create');
          const health = await call(runtime.url, 'GET', '/healthz');
          expect(health.status).to.equal(503);
          expect(health.json).to.include({ mysql: 'down', redis: 'up' });
          expect((await call(runtime.url, 'GET', '/en/products/projection/1')).status).to.equal(200);
          await mysqlProxy.restore();
          await eventually(() => call(runtime.url, 'GET', '/en/products/db/1'), 200);
          expect((await call(runtime.url, 'GET', '/healthz')).status).to.equal(200);
        });

        it('Redis down: projection reads answer 503; writes still succeed and reach the projections once Redis is back', async () => {
          expect((await call(runtime.url, 'GET', '/en/customers/projection/1')).status).to.equal(200);
          await redisProxy.cut();
          expectUnavailable(await call(runtime.url, 'GET', '/en/customers/projection/1'), 'get from projection');
          expectUnavailable(await call(runtime.url, 'GET', '/en/customers'), 'list from projection');
          expect((await call(runtime.url, 'GET', '/en/customers/db/1')).status).to.equal(200);
          const created = await call(runtime.url, 'POST', '/en/customers', { name: 'During Redis outage', email: `outage.${name}.${Date.now()}@example.com` });
          expect(created.status, created.text).to.equal(201);
          await redisProxy.restore();
          // The projector (in the runtime's main process) catches up from the outbox.
          const read = await eventually(() => call(runtime.url, 'GET', `/en/customers/projection/${created.json.customer.id}`), 200);
          expect(read.json.customer).to.deep.equal(created.json.customer);
        });
      });
    }
  }
});
