import { expect } from 'chai';
import type { Application } from '../../../../core/app.js';
import { BODY_LIMIT_BYTES } from '../../../../core/http/body.js';
import { RequestPipeline, type FrameworkMatch } from '../../../../core/http/RequestPipeline.js';
import type { HttpRequest, HttpResponse, PipelineHook, RequestScope } from '../../../../core/http/types.js';
import type { Logger } from '../../../../core/logger.js';
import { createTestApp, resetData, seedSmall } from '../../../support/fixtures.js';

// The framework-neutral request pipeline called directly, as fastify's inject() does: route behaviour without
// a server process, against the real MariaDB and Redis.

function get(path: string, query = ''): HttpRequest {
  return { method: 'GET', path, query, contentType: undefined, body: Buffer.alloc(0) };
}

function post(path: string, body: unknown): HttpRequest {
  return { method: 'POST', path, query: '', contentType: 'application/json', body: Buffer.from(JSON.stringify(body)) };
}

interface Logged {
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

function recordingLogger(): Logger & { errors: Logged[] } {
  const errors: Logged[] = [];
  const logger: Logger & { errors: Logged[] } = {
    errors, info() {}, warn() {},
    error: (message, fields) => { errors.push({ message, fields }); },
  };
  return logger;
}

const bodyOf = (response: HttpResponse) => JSON.parse(response.body) as Record<string, unknown>;

describe('RequestPipeline: match → preHandler → handler → one error mapper → onResponse', () => {
  let app: Application;
  let logger: ReturnType<typeof recordingLogger>;
  let pipeline: RequestPipeline;
  const context = () => ({ app, metricsText: async () => ({ contentType: 'text/plain', body: 'metrics' }) });

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
  });
  after(async () => { await app.close(); });
  beforeEach(() => {
    logger = recordingLogger();
    pipeline = new RequestPipeline({ context: context(), logger });
  });

  describe('answers like the runtimes', () => {
    it('a projection and a MySQL read of the same product: the same body', async () => {
      const [projection, db] = await Promise.all([pipeline.handle(get('/en/products/projection/3')), pipeline.handle(get('/en/products/db/3'))]);
      expect(projection.status).to.equal(200);
      expect(projection.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(bodyOf(projection)).to.have.nested.property('product.id', 3);
      expect(projection.body).to.equal(db.body);
    });

    it('a page: the original\'s shape and the page fields', async () => {
      const page = bodyOf(await pipeline.handle(get('/en/customers/projection', 'limit=3&offset=1')));
      expect(page).to.include({ total: 10, limit: 3, offset: 1 });
      expect((page.customers as Array<{ id: number }>).map((c) => c.id)).to.deep.equal([2, 3, 4]);
    });

    it('a command: 201 and the projection readable at once', async () => {
      const created = await pipeline.handle(post('/en/products', { name: 'Pipeline lamp', description: 'd', price: '12.50' }));
      expect(created.status).to.equal(201);
      const { id } = bodyOf(created).product as { id: number };
      const read = bodyOf(await pipeline.handle(get(`/en/products/projection/${id}`)));
      expect(read).to.have.nested.property('product.price', '12.50');
    });

    it('404 for an unknown route, an unknown id and an unknown locale', async () => {
      for (const path of ['/en/nothing', '/en/products/db/999999', '/xx/products/db/1']) {
        const response = await pipeline.handle(get(path));
        expect(response.status, path).to.equal(404);
        expect(bodyOf(response).code, path).to.equal('NOT_FOUND');
      }
    });

    it('/healthz: ok with the read model built from this database; degraded, never a 500, when it cannot be checked', async () => {
      expect(bodyOf(await pipeline.handle(get('/healthz')))).to.deep.equal({ status: 'ok', mysql: 'up', redis: 'up', read_model: 'ok' });
      await app.knex.schema.renameTable('write_model_identity', 'write_model_identity_away');
      try {
        const response = await pipeline.handle(get('/healthz'));
        expect(response.status).to.equal(200);
        expect(bodyOf(response)).to.include({ status: 'degraded', read_model: 'unknown' });
      } finally {
        await app.knex.schema.renameTable('write_model_identity_away', 'write_model_identity');
      }
    });

    it('405 with Allow for a path that exists with other methods', async () => {
      const response = await pipeline.handle({ ...get('/en/products/db/1'), method: 'POST' });
      expect(response.status).to.equal(405);
      expect(response.headers.allow).to.equal('GET');
    });

    it('400 naming the field for a bad id and a bad query parameter', async () => {
      expect(bodyOf(await pipeline.handle(get('/en/products/db/abc'))).fields).to.deep.equal([{ field: 'id', message: 'must be a positive whole number' }]);
      const page = await pipeline.handle(get('/en/products/db', 'limit=0'));
      expect(page.status).to.equal(400);
      expect((bodyOf(page).fields as Array<{ field: string }>)[0]!.field).to.equal('limit');
    });
  });

  describe('a route the framework already matched', () => {
    const route = (pattern: string) => pipeline.routes.find((r) => r.pattern === pattern && r.method === 'GET')!;

    it('parameters as sent are decoded once; a malformed escape is a 400 naming the path', async () => {
      const match: FrameworkMatch = { route: route('/:locale/products/projection/:id'), encodedParams: ['en', '%33'] };
      expect(bodyOf(await pipeline.handle(get('/en/products/projection/%33'), match))).to.have.nested.property('product.id', 3);
      const malformed = await pipeline.handle(get('/en/products/projection/%E0%A4%A'), { route: match.route, encodedParams: ['en', '%E0%A4%A'] });
      expect(malformed.status).to.equal(400);
      expect(bodyOf(malformed).fields).to.deep.equal([{ field: 'path', message: 'has an invalid percent-encoding' }]);
    });

    it('decoded parameters are used as given', async () => {
      const response = await pipeline.handle(get('/en/products/db/4'), { route: route('/:locale/products/db/:id'), params: { locale: 'en', id: '4' } });
      expect(bodyOf(response)).to.have.nested.property('product.id', 4);
    });

    it('a malformed escape with no framework match is a 400 too', async () => {
      const response = await pipeline.handle(get('/en/products/db/%'));
      expect(response.status).to.equal(400);
      expect(bodyOf(response).code).to.equal('VALIDATION_FAILED');
    });
  });

  describe('Content-Encoding: bodies are taken as sent', () => {
    const events = async () => (await app.knex('events').count({ n: '*' }).first())!.n;
    const withEncoding = (contentEncoding: string | undefined): HttpRequest =>
      ({ ...post('/en/products', { name: 'Encoded lamp', price: '1.00' }), contentEncoding });

    for (const encoding of ['gzip', 'br', 'deflate', 'gzip, identity', 'identity, gzip', 'GZIP', 'Br', 'x-gzip', 'compress', 'zstd']) {
      it(`${JSON.stringify(encoding)} → 415 naming content-encoding, nothing written`, async () => {
        const before = await events();
        const response = await pipeline.handle(withEncoding(encoding));
        expect(response.status).to.equal(415);
        expect(bodyOf(response)).to.deep.include({ code: 'UNSUPPORTED_MEDIA_TYPE', fields: [{ field: 'content-encoding', message: 'must be identity (or absent)' }] });
        expect(await events()).to.equal(before);
      });
    }

    for (const encoding of [undefined, 'identity', 'IDENTITY', ' identity ', '']) {
      it(`${encoding === undefined ? 'absent' : JSON.stringify(encoding)} → the body is read (201)`, async () => {
        const response = await pipeline.handle(withEncoding(encoding));
        expect(response.status, response.body).to.equal(201);
      });
    }
  });

  describe('hostile input: a 400 naming the field, nothing written', () => {
    const counts = async () => Promise.all(['products', 'customers', 'orders', 'events'].map(async (t) => (await app.knex(t).count({ n: '*' }).first())!.n));
    const form = (path: string, body: string | Buffer, method = 'POST'): HttpRequest =>
      ({ method, path, query: '', contentType: 'application/x-www-form-urlencoded', body: Buffer.from(body) });
    const raw = (path: string, body: string | Buffer, method = 'POST'): HttpRequest =>
      ({ method, path, query: '', contentType: 'application/json', body: Buffer.from(body) });
    const NOT_UTF8 = 'is not valid UTF-8 once percent-decoded';

    const cases: Array<[title: string, request: HttpRequest, code: string, fields: Array<{ field: string; message: string | RegExp }>]> = [
      ['form __proto__ (JSON refuses it too)', form('/en/products', '__proto__=x&name=P&price=1'), 'VALIDATION_FAILED', [{ field: '__proto__', message: 'is not a known field' }]],
      ['form constructor and prototype', form('/en/products', 'name=P&constructor=x&prototype=y&price=1'), 'VALIDATION_FAILED',
        [{ field: 'constructor', message: 'is not a known field' }, { field: 'prototype', message: 'is not a known field' }]],
      ['form hasOwnProperty and toString', form('/en/customers', 'name=P&email=a%40b.c&hasOwnProperty=1&toString=2'), 'VALIDATION_FAILED',
        [{ field: 'hasOwnProperty', message: 'is not a known field' }, { field: 'toString', message: 'is not a known field' }]],
      ['JSON __proto__', raw('/en/products', '{"__proto__":{"x":1},"name":"P","price":"1"}'), 'VALIDATION_FAILED', [{ field: '__proto__', message: 'is not a known field' }]],
      ['form field given twice', form('/en/products', 'name=P&price=1&name=Q'), 'VALIDATION_FAILED', [{ field: 'name', message: 'is given more than once' }]],
      ['form %FF', form('/en/products', 'name=%FF&price=1'), 'VALIDATION_FAILED', [{ field: 'name', message: NOT_UTF8 }]],
      ['form UTF-8 of a surrogate (%ED%A0%80)', form('/en/products', 'name=x%ED%A0%80y&price=1'), 'VALIDATION_FAILED', [{ field: 'name', message: NOT_UTF8 }]],
      ['form overlong UTF-8 (%C0%AF)', form('/en/products', 'name=%C0%AF&price=1'), 'VALIDATION_FAILED', [{ field: 'name', message: NOT_UTF8 }]],
      ['form truncated sequence in a name', form('/en/products', 'name=P&price=1&na%E2%82=1'), 'VALIDATION_FAILED', [{ field: 'na%E2%82', message: /name that is not valid UTF-8/ }]],
      ['JSON lone surrogate', raw('/en/products', '{"name":"x\\ud800y","price":"1"}'), 'VALIDATION_FAILED', [{ field: 'name', message: /valid Unicode/ }]],
      ['JSON lone surrogate in an order item', raw('/en/orders', '{"customer_id":1,"items":[{"product_id":1,"quantity":1},{"product_id":"\\udfff","quantity":1}]}'), 'VALIDATION_FAILED',
        [{ field: 'items[1].product_id', message: /valid Unicode/ }]],
      ['JSON lone surrogate in an update', raw('/en/products/1', '{"description":"\\ud83d"}', 'PUT'), 'VALIDATION_FAILED', [{ field: 'description', message: /valid Unicode/ }]],
      ['raw invalid UTF-8 in JSON', raw('/en/products', Buffer.concat([Buffer.from('{"name":"x'), Buffer.from([0xff]), Buffer.from('","price":"1"}')])), 'MALFORMED_BODY',
        [{ field: 'body', message: 'is not valid UTF-8' }]],
      ['raw CESU-8 surrogate in JSON', raw('/en/products', Buffer.concat([Buffer.from('{"name":"x'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","price":"1"}')])), 'MALFORMED_BODY',
        [{ field: 'body', message: 'is not valid UTF-8' }]],
      ['raw invalid UTF-8 in a form', form('/en/customers', Buffer.concat([Buffer.from('name='), Buffer.from([0xc3, 0x28]), Buffer.from('&email=a%40b.c')])), 'MALFORMED_BODY',
        [{ field: 'body', message: 'is not valid UTF-8' }]],
      ['created_at -1', raw('/en/products', '{"name":"P","price":"1","created_at":-1}'), 'VALIDATION_FAILED', [{ field: 'created_at', message: /Unix timestamp/ }]],
      ['created_at 2026-02-30', form('/en/customers', 'name=P&email=a%40b.c&created_at=2026-02-30'), 'VALIDATION_FAILED', [{ field: 'created_at', message: /real calendar date/ }]],
    ];

    for (const [title, request, code, fields] of cases) {
      it(`${title} → ${code} naming ${fields.map((f) => f.field).join(', ')}`, async () => {
        const before = await counts();
        const response = await pipeline.handle(request);
        const body = bodyOf(response) as { code: string; fields: Array<{ field: string; message: string }> };
        expect(response.status, response.body).to.equal(400);
        expect(body.code).to.equal(code);
        expect(body.fields.map((f) => f.field)).to.deep.equal(fields.map((f) => f.field));
        fields.forEach((f, i) => expect(body.fields[i]!.message).to.match(typeof f.message === 'string' ? new RegExp(`^${f.message}$`) : f.message));
        expect(await counts()).to.deep.equal(before);
      });
    }

    it('query: __proto__ and constructor are unknown parameters (not "given more than once"); escapes that are not UTF-8 name their parameter', async () => {
      for (const [query, field] of [['__proto__=1', '__proto__'], ['limit=2&constructor=1', 'constructor'], ['toString=1', 'toString']] as const) {
        const response = await pipeline.handle(get('/en/products/db', query));
        expect(response.status, query).to.equal(400);
        expect(bodyOf(response).fields, query).to.deep.equal([{ field, message: 'unknown query parameter; use limit, offset or after' }]);
      }
      for (const query of ['limit=%FF', 'limit=%ED%A0%80']) {
        const response = await pipeline.handle(get('/en/products/projection', query));
        expect(bodyOf(response).fields, query).to.deep.equal([{ field: 'limit', message: 'is not valid UTF-8 once percent-decoded' }]);
      }
      expect(bodyOf(await pipeline.handle(get('/en/products/db', 'limit=1&limit=2'))).fields).to.deep.equal([{ field: 'limit', message: 'is given more than once' }]);
      const page = bodyOf(await pipeline.handle(get('/en/products/db', 'limit=2&offset=%31')));
      expect(page).to.include({ limit: 2, offset: 1 });
    });

    it('path: the UTF-8 of a surrogate (%ED%A0%80) and a bare %FF are malformed escapes, on our match and on a framework\'s', async () => {
      for (const id of ['%ED%A0%80', '%FF', '1%ED%B0%80']) {
        const ours = await pipeline.handle(get(`/en/products/db/${id}`));
        const route = pipeline.routes.find((r) => r.pattern === '/:locale/products/db/:id' && r.method === 'GET')!;
        const theirs = await pipeline.handle(get(`/en/products/db/${id}`), { route, encodedParams: ['en', id] });
        for (const response of [ours, theirs]) {
          expect(response.status, id).to.equal(400);
          expect(bodyOf(response).fields).to.deep.equal([{ field: 'path', message: 'has an invalid percent-encoding' }]);
        }
      }
    });
  });

  describe('bodies the adapter could not read', () => {
    it('too large: 413 naming the body, and nothing written', async () => {
      const before = await app.knex('products').count({ n: '*' }).first();
      const response = await pipeline.handle({ ...post('/en/products', {}), body: Buffer.alloc(0), bodyUnread: 'too-large' });
      expect(response.status).to.equal(413);
      expect(bodyOf(response).fields).to.deep.equal([{ field: 'body', message: `must be at most ${BODY_LIMIT_BYTES} bytes` }]);
      expect(await app.knex('products').count({ n: '*' }).first()).to.deep.equal(before);
    });

    it('cut short: 400 naming the body, the command never runs', async () => {
      const before = await app.knex('events').count({ n: '*' }).first();
      const response = await pipeline.handle({ method: 'PUT', path: '/en/products/1', query: '', contentType: 'application/json', body: Buffer.alloc(0), bodyUnread: 'failed' });
      expect(response.status).to.equal(400);
      expect(bodyOf(response)).to.include({ code: 'MALFORMED_BODY' });
      expect(await app.knex('events').count({ n: '*' }).first()).to.deep.equal(before);
    });
  });

  describe('hooks', () => {
    it('onRequest sees every request, and its finisher gets the final response once (unmatched ones too)', async () => {
      const seen: Array<[string, string, number]> = [];
      const counting: PipelineHook = { onRequest: (request) => (scope, response) => { seen.push([request.path, scope.route?.pattern ?? 'unmatched', response.status]); } };
      const counted = new RequestPipeline({ context: context(), logger, hooks: [counting] });
      await counted.handle(get('/en/products/db/1'));
      await counted.handle(get('/en/nothing'));
      expect(seen).to.deep.equal([['/en/products/db/1', '/:locale/products/db/:id', 200], ['/en/nothing', 'unmatched', 404]]);
    });

    it('a preHandler may answer instead of the handler; later preHandlers and the handler do not run', async () => {
      const order: string[] = [];
      const hooks: PipelineHook[] = [
        { preHandler: (scope) => { order.push('first'); return scope.route!.pattern === '/:locale/products/db/:id' ? { status: 299, headers: {}, body: 'early' } : undefined; } },
        { preHandler: () => { order.push('second'); return undefined; } },
      ];
      const early = await new RequestPipeline({ context: context(), logger, hooks }).handle(get('/en/products/db/1'));
      expect(early).to.deep.equal({ status: 299, headers: {}, body: 'early' });
      expect(order).to.deep.equal(['first']);
    });

    it('a preHandler may give the request its own context (fork\'s per-request bootstrap)', async () => {
      let handedOver: RequestScope['context'] | undefined;
      const own = { app, metricsText: async () => ({ contentType: 'text/plain', body: 'own metrics' }) };
      const hooks: PipelineHook[] = [{ preHandler: (scope) => { scope.context = own; return undefined; }, onResponse: (scope) => { handedOver = scope.context; } }];
      const response = await new RequestPipeline({ context: context(), logger, hooks }).handle(get('/metrics'));
      expect(response.body).to.equal('own metrics');
      expect(handedOver).to.equal(own);
    });

    it('a failing preHandler becomes the error response; onResponse still runs (what was opened is closed)', async () => {
      const closed: number[] = [];
      const hooks: PipelineHook[] = [{
        preHandler: () => { throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', syscall: 'connect' }); },
        onResponse: (_scope, response) => { closed.push(response.status); },
      }];
      const response = await new RequestPipeline({ context: context(), logger, hooks }).handle(get('/en/products/db/1'));
      expect(response.status).to.equal(503);
      expect(bodyOf(response).code).to.equal('SERVICE_UNAVAILABLE');
      expect(closed).to.deep.equal([503]);
      expect(logger.errors, 'a service outage is not a bug').to.deep.equal([]);
    });

    it('a bug is a 500 with a generic body, never its message or stack, and is logged with the error', async () => {
      const bug = new Error('secret detail: column x does not exist');
      const hooks: PipelineHook[] = [{ preHandler: () => { throw bug; } }];
      const response = await new RequestPipeline({ context: context(), logger, hooks }).handle(get('/en/products/db/1'));
      expect(response.status).to.equal(500);
      expect(bodyOf(response)).to.deep.equal({ error: 'Internal error', code: 'INTERNAL' });
      expect(logger.errors).to.have.length(1);
      expect(logger.errors[0]!.fields).to.include({ err: bug, route: '/:locale/products/db/:id' });
    });

    it('a failing onResponse is logged and does not change the answer', async () => {
      const hooks: PipelineHook[] = [{ onResponse: () => { throw new Error('close failed'); } }];
      const response = await new RequestPipeline({ context: context(), logger, hooks }).handle(get('/en/products/db/1'));
      expect(response.status).to.equal(200);
      expect(logger.errors.map((e) => e.message)).to.deep.equal(['an onResponse hook failed']);
    });
  });
});
