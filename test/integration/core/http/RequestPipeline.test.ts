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
        preHandler: () => { throw new Error('connect ECONNREFUSED 127.0.0.1:1'); },
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
