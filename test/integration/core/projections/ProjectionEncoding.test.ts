import { expect } from 'chai';
import type { Application } from '../../../../core/app.js';
import { RequestPipeline } from '../../../../core/http/RequestPipeline.js';
import type { HttpRequest, HttpResponse } from '../../../../core/http/types.js';
import { silentLogger } from '../../../../core/logger.js';
import { ENTITIES } from '../../../../core/model/catalogue.js';
import type { PageRequest } from '../../../../core/pagination.js';
import { identityKey, readModelState, writeModelIdentity } from '../../../../core/projections/ReadModelIdentity.js';
import { verifyReadModel } from '../../../../core/ReadModelVerifier.js';
import { createTestApp, rebuildAllWhenFree, resetData, seedSmall } from '../../../support/fixtures.js';

// PROJECTION_ENCODING=json stores each projection as its JSON text, and the routes send those texts as they are:
// over the same write model, a json read model answers what a msgpack one does, object for object and byte for
// byte. The encoding is part of the read model's identity: one stored in the other encoding is rebuilt.

/** Beside the msgpack app's prefix (test:), not under it: the keeper tests delete `test:*`. */
const JSON_PREFIX = 'test-json:';

const get = (path: string, query = ''): HttpRequest => ({ method: 'GET', path, query, contentType: undefined, body: Buffer.alloc(0) });
const pipelineOf = (app: Application) =>
  new RequestPipeline({ context: { app, metricsText: async () => ({ contentType: 'text/plain', body: '' }) }, logger: silentLogger });
const answer = (response: HttpResponse) => ({ status: response.status, headers: response.headers, body: response.body });

async function deletePrefix(app: Application, prefix: string): Promise<void> {
  const keys = await app.redis.keys(`${prefix}*`);
  if (keys.length > 0) await app.redis.del(...keys);
}

describe('PROJECTION_ENCODING=json: the same reads as msgpack', function () {
  this.timeout(60_000);
  let msgpackApp: Application;
  let jsonApp: Application;

  before(async () => {
    msgpackApp = await createTestApp({ projectionEncoding: 'msgpack' });
    jsonApp = await createTestApp({ projectionEncoding: 'json', redisPrefix: JSON_PREFIX });
    await resetData(msgpackApp);
    await seedSmall(msgpackApp);
    await deletePrefix(jsonApp, JSON_PREFIX);
    await rebuildAllWhenFree(jsonApp);
  });
  after(async () => {
    await deletePrefix(jsonApp, JSON_PREFIX);
    await Promise.all([msgpackApp.close(), jsonApp.close()]);
  });

  it('stores JSON text, and each app reads text only in its own encoding', async () => {
    const product = await msgpackApp.reads.product.projection.get(1);
    expect(await jsonApp.redis.hget(`${JSON_PREFIX}products:data`, '1')).to.equal(JSON.stringify(product));
    expect(msgpackApp.reads.product.projectionText, 'no text reads with msgpack').to.equal(undefined);
    expect(jsonApp.reads.product.projectionText).to.not.equal(undefined);
    await msgpackApp.repositories.product.getText(1).then(() => expect.fail('msgpack has no text reads'), (err: Error) => expect(err.message).to.match(/PROJECTION_ENCODING=json/));
  });

  for (const { type, plural } of ENTITIES) {
    it(`${plural}: every get and page equal to msgpack's, as objects and as texts`, async () => {
      const all = await msgpackApp.repositories[type].all();
      expect(all.length).to.be.greaterThan(5);
      expect(await jsonApp.repositories[type].all()).to.deep.equal(all);
      const text = jsonApp.reads[type].projectionText!;
      for (const { id } of all) {
        const expected = await msgpackApp.reads[type].projection.get(id);
        expect(await jsonApp.reads[type].projection.get(id)).to.deep.equal(expected);
        expect(await text.getText(id)).to.equal(JSON.stringify(expected));
      }
      const middleId = all[Math.floor(all.length / 2)]!.id;
      const requests: PageRequest[] = [
        { kind: 'offset', offset: 0, limit: 7 },
        { kind: 'offset', offset: all.length - 3, limit: 7 },
        { kind: 'offset', offset: all.length - 7, limit: 7 },
        { kind: 'offset', offset: all.length + 5, limit: 7 },
        { kind: 'offset', offset: 0, limit: 100_000 },
        { kind: 'after', after: 0, limit: 4 },
        { kind: 'after', after: middleId, limit: 4 },
        { kind: 'after', after: all[all.length - 2]!.id, limit: 4 },
        { kind: 'after', after: all[all.length - 1]!.id, limit: 4 },
      ];
      for (const request of requests) {
        const expected = await msgpackApp.reads[type].projection.list(request);
        expect(await jsonApp.reads[type].projection.list(request), JSON.stringify(request)).to.deep.equal(expected);
        expect(await text.listText(request), JSON.stringify(request)).to.deep.equal({
          texts: expected.items.map((item) => JSON.stringify(item)),
          total: expected.total,
          lastId: expected.items.at(-1)?.id,
        });
      }
    });
  }

  it('every projection route answers byte for byte what the msgpack app answers (status, headers, body)', async () => {
    const [fromMsgpack, fromJson] = [pipelineOf(msgpackApp), pipelineOf(jsonApp)];
    let compared = 0;
    for (const { plural } of ENTITIES) {
      for (const base of [`/en/${plural}/projection`, `/en/${plural}`]) {
        const requests = [
          get(base), get(base, 'limit=5&offset=3'), get(base, 'limit=5&offset=35'), get(base, 'limit=10&offset=30'), get(base, 'offset=1000'),
          get(base, 'limit=3&after=0'), get(base, 'limit=3&after=4'), get(base, 'limit=50&after=29'), get(base, 'limit=all'),
          get(`${base}/1`), get(`${base}/7`), get(`${base}/99999`), get(`${base}/abc`), get(base, 'limit=0'),
        ];
        for (const request of requests) {
          const [expected, actual] = [await fromMsgpack.handle(request), await fromJson.handle(request)];
          expect(answer(actual), `${request.path}?${request.query}`).to.deep.equal(answer(expected));
          compared++;
        }
      }
    }
    expect(compared).to.equal(3 * 2 * 14);
    const notFound = await fromJson.handle(get('/en/products/projection/99999'));
    expect(notFound.status).to.equal(404);
  });

  it('writes after the rebuild (create, update, delete) are stored as JSON and read the same', async () => {
    const created = await jsonApp.commands.product.create({ name: 'Ünïcödé "json" ✓', price: '4.20', description: 'a\r\nb' });
    await jsonApp.commands.product.update(created.id, { price: '5.00' });
    await jsonApp.commands.product.delete(2);
    await msgpackApp.projector.catchUp();
    await jsonApp.projector.catchUp();
    const updated = await msgpackApp.reads.product.projection.get(created.id);
    expect(updated).to.include({ price: '5.00' });
    expect(await jsonApp.reads.product.projectionText!.getText(created.id)).to.equal(JSON.stringify(updated));
    await jsonApp.reads.product.projectionText!.getText(2).then(() => expect.fail('deleted'), (err: { status: number }) => expect(err.status).to.equal(404));
    const everything: PageRequest = { kind: 'offset', offset: 0, limit: 100_000 };
    expect(await jsonApp.reads.product.projection.list(everything)).to.deep.equal(await msgpackApp.reads.product.projection.list(everything));
    const { mismatches, compared } = await verifyReadModel(jsonApp);
    expect(mismatches).to.deep.equal([]);
    expect(compared.ids).to.be.greaterThan(70);
  });

  it('stored() reports a value that is not JSON as an Error, and decodes the others', async () => {
    await jsonApp.redis.hset(`${JSON_PREFIX}customers:data`, '3', 'not JSON');
    const stored = await jsonApp.repositories.customer.stored();
    expect(stored.get(3)).to.be.instanceOf(Error);
    expect(stored.get(4)).to.deep.equal(await msgpackApp.reads.customer.projection.get(4));
    // A read that finds it trusts MySQL instead: the true customer 3, never the bytes stored.
    expect(await jsonApp.reads.customer.projectionText!.getText(3)).to.equal(JSON.stringify(await jsonApp.reads.customer.db.get(3)));
    await jsonApp.repositories.customer.getText(3).then(() => expect.fail('not JSON text'), (err: Error) => expect(err.message).to.match(/not stored as JSON/));
    await rebuildAllWhenFree(jsonApp);
  });
});

describe('switching PROJECTION_ENCODING on one prefix: the read model is rebuilt in the new encoding', function () {
  this.timeout(60_000);
  let msgpackApp: Application;
  let jsonApp: Application;

  before(async () => {
    msgpackApp = await createTestApp({ projectionEncoding: 'msgpack' });
    jsonApp = await createTestApp({ projectionEncoding: 'json' }); // the same prefix as msgpackApp
    await resetData(msgpackApp);
    await seedSmall(msgpackApp);
  });
  after(async () => {
    await rebuildAllWhenFree(msgpackApp);
    await Promise.all([msgpackApp.close(), jsonApp.close()]);
  });

  const state = (app: Application) => readModelState(app.knex, app.redis, app.config.redisPrefix, app.config.projectionEncoding);

  it('the identity records the encoding; a msgpack read model is other-encoding to a json app until its keeper rebuilds it', async () => {
    const prefix = msgpackApp.config.redisPrefix;
    const expected = await msgpackApp.repositories.order.all();
    // Before: stored as msgpack, recorded as such.
    expect(JSON.parse((await msgpackApp.redis.get(identityKey(prefix)))!)).to.deep.equal({ ...(await writeModelIdentity(msgpackApp.knex)), encoding: 'msgpack' });
    expect(await state(msgpackApp)).to.deep.equal({ status: 'ok' });
    expect(await state(jsonApp)).to.include({ status: 'degraded', reason: 'other-encoding' });
    // Until the keeper rebuilds it, a read finds msgpack where it wants JSON text: answered from MySQL, never a 500.
    expect(await jsonApp.reads.order.projectionText!.getText(expected[0]!.id)).to.equal(JSON.stringify(expected[0]));
    const page = await pipelineOf(jsonApp).handle(get('/en/orders/projection'));
    const fromDb = await pipelineOf(jsonApp).handle(get('/en/orders/db'));
    expect([page.status, page.body], 'a page while the read model is in the other encoding').to.deep.equal([200, fromDb.body]);

    expect(await jsonApp.keeper.keep()).to.deep.equal({ state: 'ok' });

    expect(JSON.parse((await jsonApp.redis.get(identityKey(prefix)))!)).to.include({ encoding: 'json' });
    expect(await state(jsonApp)).to.deep.equal({ status: 'ok' });
    expect(await state(msgpackApp)).to.include({ status: 'degraded', reason: 'other-encoding' });
    // The msgpack app now reads JSON text: answered from MySQL, the same body as its /db route, never a 500.
    for (const path of ['/en/orders/projection', `/en/orders/projection/${expected[0]!.id}`]) {
      const answer = await pipelineOf(msgpackApp).handle(get(path));
      const fromDb = await pipelineOf(msgpackApp).handle(get(path.replace('projection', 'db')));
      expect([answer.status, answer.body], path).to.deep.equal([200, fromDb.body]);
    }
    expect(await jsonApp.repositories.order.all()).to.deep.equal(expected);
    for (const order of expected) expect(await jsonApp.reads.order.projectionText!.getText(order.id)).to.equal(JSON.stringify(order));

    // And back: the msgpack app's keeper rebuilds it in msgpack.
    expect(await msgpackApp.keeper.keep()).to.deep.equal({ state: 'ok' });
    expect(await state(msgpackApp)).to.deep.equal({ status: 'ok' });
    expect(await msgpackApp.repositories.order.all()).to.deep.equal(expected);
  });

  it('an identity recorded before the encoding was part of it means msgpack', async () => {
    const prefix = msgpackApp.config.redisPrefix;
    await rebuildAllWhenFree(msgpackApp);
    await msgpackApp.redis.set(identityKey(prefix), JSON.stringify(await writeModelIdentity(msgpackApp.knex)));
    expect(await state(msgpackApp)).to.deep.equal({ status: 'ok' });
    expect(await state(jsonApp)).to.include({ status: 'degraded', reason: 'other-encoding' });
  });

  it('/healthz says other-encoding while the read model is in the other encoding', async () => {
    await rebuildAllWhenFree(msgpackApp);
    const health = JSON.parse((await pipelineOf(jsonApp).handle(get('/healthz'))).body) as { status: string; read_model: string };
    expect(health).to.include({ status: 'degraded', read_model: 'other-encoding' });
    const own = JSON.parse((await pipelineOf(msgpackApp).handle(get('/healthz'))).body) as { status: string; read_model: string };
    expect(own).to.include({ status: 'ok', read_model: 'ok' });
  });
});
