import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '../../../core/app.js';
import { RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { call, metricSum, parseMetrics, startRuntime } from '../../support/runtimes.js';

// When a command's write becomes visible in the read model. With inline projection (the default) before its answer:
// a read on any runtime right after the acknowledgement sees it. With INLINE_PROJECTION=0 (the asynchronous read
// model) the answer does not wait: only the projector applies the events, woken by the command.

async function applied(runtime: LaunchedRuntime, path: 'inline' | 'catch-up'): Promise<number> {
  return metricSum(parseMetrics(await (await fetch(`${runtime.url}/metrics`)).text()), 'cqrs_projector_events_applied_total', { path });
}

describe('visibility of a command in the read model', function () {
  this.timeout(120_000);
  let app: Application;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
  });
  after(async () => {
    await app.close();
  });

  describe('inline projection: a read on any runtime right after the acknowledgement sees the write', () => {
    const runtimes = new Map<RuntimeName, LaunchedRuntime>();
    before(async () => {
      // No projector loop anywhere: only the commands' own inline step can make the reads right.
      for (const name of RUNTIME_NAMES) runtimes.set(name, await startRuntime(name, { PROJECTOR: '0' }));
    });
    after(async () => {
      await Promise.all([...runtimes.values()].map((r) => r.stop()));
    });

    for (const writer of RUNTIME_NAMES) {
      it(`written on ${writer}: created, updated and deleted, each seen at once by every runtime`, async () => {
        for (let i = 0; i < 5; i++) {
          const created = await call(runtimes.get(writer)!.url, 'POST', '/en/products', { name: `Seen ${writer} ${i}`, price: `${i + 1}.00` });
          expect(created.status, created.text).to.equal(201);
          const id = (created.json as { product: { id: number } }).product.id;
          const updated = await call(runtimes.get(writer)!.url, 'PUT', `/en/products/${id}`, { price: `${i + 1}.50` });
          expect(updated.status, updated.text).to.equal(200);
          for (const reader of RUNTIME_NAMES) {
            const read = await call(runtimes.get(reader)!.url, 'GET', `/en/products/projection/${id}`);
            expect([read.status, (read.json as { product?: { price?: string } }).product?.price], `${reader} reads ${id}`).to.deep.equal([200, `${i + 1}.50`]);
          }
          const deleted = await call(runtimes.get(writer)!.url, 'DELETE', `/en/products/${id}`);
          expect(deleted.status, deleted.text).to.equal(200);
          for (const reader of RUNTIME_NAMES) {
            expect((await call(runtimes.get(reader)!.url, 'GET', `/en/products/projection/${id}`)).status, `${reader} after the delete`).to.equal(404);
          }
        }
      });
    }
  });

  describe('INLINE_PROJECTION=0: the answer does not wait, the projector applies the write', () => {
    for (const name of RUNTIME_NAMES) {
      it(`${name}: no event applied inline, every one by a catch-up woken by its command, the read model right after`, async () => {
        // The projector loop polls once a minute: what applies the writes within seconds is the command's wake-up.
        const runtime = await startRuntime(name, { INLINE_PROJECTION: '0', PROJECTOR_INTERVAL_MS: '60000' });
        try {
          const ids: number[] = [];
          for (let i = 0; i < 5; i++) {
            const created = await call(runtime.url, 'POST', '/en/products', { name: `Async ${name} ${i}`, price: '3.00' });
            expect(created.status, created.text).to.equal(201);
            ids.push((created.json as { product: { id: number } }).product.id);
          }
          let seen = 0;
          for (const deadline = Date.now() + 10_000; Date.now() < deadline && seen < ids.length; await sleep(20)) {
            seen = 0;
            for (const id of ids) if ((await call(runtime.url, 'GET', `/en/products/projection/${id}`)).status === 200) seen++;
          }
          expect(seen, 'writes visible in the read model').to.equal(ids.length);
          expect(await applied(runtime, 'inline'), 'applied inline').to.equal(0);
          expect(await applied(runtime, 'catch-up'), 'applied by the projector').to.be.at.least(ids.length);
        } finally {
          await runtime.stop();
        }
      });
    }
  });
});
