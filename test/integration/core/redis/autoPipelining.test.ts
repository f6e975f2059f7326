import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { Application } from '../../../../core/app.js';
import { createTestApp, resetData, seedSmall } from '../../../support/fixtures.js';

/** The ioredis client under the application's instrumentation Proxy (its getters read the real client). */
function queued(redis: Redis): number {
  return redis.autoPipelineQueueSize;
}

describe('REDIS_AUTO_PIPELINING: the commands of one event-loop turn go out as one pipeline', function () {
  this.timeout(30_000);
  let plain: Application;
  let pipelined: Application;

  before(async () => {
    plain = await createTestApp({ redisAutoPipelining: false });
    pipelined = await createTestApp({ redisAutoPipelining: true });
    await resetData(plain);
    await seedSmall(plain);
  });
  after(async () => {
    await Promise.all([plain.close(), pipelined.close()]);
  });

  it('queues the reads of one turn with it on, sends each at once with it off; both answer the same', async () => {
    const ids = (await plain.repositories.product.all()).map((p) => p.id);
    expect(ids.length).to.be.greaterThan(2);
    const reads = (app: Application) => ids.map((id) => app.reads.product.projection.get(id));

    const withPipelining = reads(pipelined);
    // Still in the turn that issued them: every read waits in the one auto-pipeline.
    expect(queued(pipelined.redis)).to.equal(ids.length);
    const withoutPipelining = reads(plain);
    expect(queued(plain.redis)).to.equal(0);

    expect(await Promise.all(withPipelining)).to.deep.equal(await Promise.all(withoutPipelining));
    expect(queued(pipelined.redis)).to.equal(0);
  });

  it('sends the page scripts at once even with it on: only single-key reads wait for the turn to end', async () => {
    const page = { kind: 'offset' as const, offset: 0, limit: 2 };
    const pages = [pipelined.reads.product.projection.list(page), pipelined.reads.order.projection.list(page)];
    expect(queued(pipelined.redis)).to.equal(0);
    const get = pipelined.reads.product.projection.get((await pages[0]!).items[0]!.id);
    expect(queued(pipelined.redis)).to.equal(1);
    await Promise.all([...pages, get]);
  });

  it('pages and unknown ids behave alike with it on (one script call per page, NOT_FOUND for an unknown id)', async () => {
    const page = { kind: 'offset' as const, offset: 1, limit: 2 };
    expect(await pipelined.reads.order.projection.list(page)).to.deep.equal(await plain.reads.order.projection.list(page));
    for (const app of [plain, pipelined]) {
      await app.reads.product.projection.get(999_999).then(() => expect.fail('an unknown id'), (err: { code: string }) => expect(err.code).to.equal('NOT_FOUND'));
    }
  });
});
