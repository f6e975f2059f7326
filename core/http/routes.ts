import type { Application } from '../app.js';
import { quote } from '../errorBounds.js';
import { AppError } from '../errors.js';
import { pageBody, pageBodyText, parsePageRequest } from '../pagination.js';
import { ENTITIES, type EntityDefinition } from '../model/catalogue.js';
import { parseId } from '../validation.js';
import { parseBody, parseQuery } from './body.js';
import { answerCommand } from './idempotency.js';
import { readModelState } from '../projections/ReadModelIdentity.js';
import { json, jsonText } from './responses.js';
import type { HttpRequest, HttpResponse, Route, RouteSource } from './types.js';

/** Locales the routes answer under (`/{locale}/…`), kept from the original demo. */
export const LOCALES: readonly string[] = ['en'];

function checkLocale(params: Readonly<Record<string, string>>): void {
  if (!LOCALES.includes(params.locale ?? '')) {
    throw new AppError('NOT_FOUND', `Unknown locale ${quote(params.locale ?? '')}; use ${LOCALES.join(', ')}`);
  }
}

type Handler = (request: HttpRequest, params: Readonly<Record<string, string>>, app: Application) => Promise<HttpResponse>;

interface RouteOptions {
  readonly source: RouteSource;
  readonly hasBody?: boolean;
  readonly readsQuery?: boolean;
  readonly localised?: boolean;
}

function route(method: Route['method'], pattern: string, options: RouteOptions, handle: Handler): Route {
  return {
    method,
    pattern,
    source: options.source,
    hasBody: options.hasBody ?? false,
    readsQuery: options.readsQuery ?? false,
    handler(request, params, context) {
      if (options.localised !== false) checkLocale(params);
      return handle(request, params, context.app);
    },
  };
}

function entityRoutes({ type, plural, updatable }: EntityDefinition): Route[] {
  const base = `/:locale/${plural}`;
  // With PROJECTION_ENCODING=json the projections are stored as the JSON text sent: the body is written around
  // the stored texts, the same bytes as serialising the decoded projections.
  const getBodyStart = `{${JSON.stringify(type)}:`;
  const list = (source: 'db' | 'projection'): Handler => async (request, _params, app) => {
    const page = parsePageRequest(parseQuery(request.query), app.config);
    const entity = app.reads[type];
    const texts = source === 'projection' ? entity.projectionText : undefined;
    if (texts) return jsonText(200, pageBodyText(plural, page, await texts.listText(page)));
    const reads = entity[source] as Application['reads']['product']['db'];
    return json(200, pageBody(plural, page, await reads.list(page)));
  };
  const get = (source: 'db' | 'projection'): Handler => async (_request, params, app) => {
    const entity = app.reads[type];
    const texts = source === 'projection' ? entity.projectionText : undefined;
    if (texts) return jsonText(200, `${getBodyStart}${await texts.getText(parseId(params.id))}}`);
    const reads = entity[source] as Application['reads']['product']['db'];
    return json(200, { [type]: await reads.get(parseId(params.id)) });
  };
  const commands = (app: Application) => app.commands[type] as Partial<Application['commands']['product']>;
  const routes: Route[] = [
    route('GET', `${base}/db`, { source: 'db', readsQuery: true }, list('db')),
    route('GET', `${base}/db/:id`, { source: 'db' }, get('db')),
    route('GET', `${base}/projection`, { source: 'redis', readsQuery: true }, list('projection')),
    route('GET', `${base}/projection/:id`, { source: 'redis' }, get('projection')),
    // The original demo's Postman collection reads the projections at the bare paths.
    route('GET', base, { source: 'redis', readsQuery: true }, list('projection')),
    route('GET', `${base}/:id`, { source: 'redis' }, get('projection')),
    // Commands: an Idempotency-Key makes a retry replay the first answer (answerCommand).
    route('POST', base, { source: 'db', hasBody: true }, (request, _params, app) =>
      answerCommand(request, app, 201, (created) => ({ [type]: created }), (idempotent) =>
        commands(app).create!(parseBody(request.contentType, request.body), idempotent))),
    route('DELETE', `${base}/:id`, { source: 'db' }, (request, params, app) =>
      answerCommand(request, app, 200, ({ id }: { id: number }) => ({ message: `${type} ${id} deleted`, id }), (idempotent) =>
        commands(app).delete!(parseId(params.id), idempotent))),
  ];
  if (updatable) {
    routes.push(route('PUT', `${base}/:id`, { source: 'db', hasBody: true }, (request, params, app) =>
      answerCommand(request, app, 200, (updated) => ({ [type]: updated }), (idempotent) =>
        commands(app).update!(parseId(params.id), parseBody(request.contentType, request.body), idempotent))));
  }
  return routes;
}

async function serviceStatus(check: () => Promise<unknown>): Promise<'up' | 'down'> {
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref())]);
    return 'up';
  } catch {
    return 'down';
  }
}

const index: Handler = async (_request, params) =>
  json(200, {
    name: 'cqrs-node-bench',
    locale: params.locale,
    entities: ENTITIES.map((e) => e.plural),
    sources: { db: 'MySQL write model', projection: 'Redis projections' },
  });

/** Every route of the application, in match order (specific paths before parameterised ones). */
export const ROUTES: readonly Route[] = Object.freeze([
  {
    method: 'GET', pattern: '/healthz', source: 'none', hasBody: false,
    async handler(_request, _params, { app }) {
      const [mysql, redis] = await Promise.all([
        serviceStatus(() => app.knex.raw('SELECT 1')),
        serviceStatus(() => app.redis.ping()),
      ]);
      if (mysql === 'down' || redis === 'down') {
        return json(503, { status: 'unavailable', mysql, redis, read_model: 'unknown', error: 'A backing service (MySQL or Redis) is unavailable' });
      }
      // Serving, but from projections that do not belong to this database's data set: being rebuilt.
      const state = await readModelState(app.knex, app.redis, app.config.redisPrefix, app.config.projectionEncoding).catch(() => undefined);
      if (!state) return json(200, { status: 'degraded', mysql, redis, read_model: 'unknown', error: 'The read model could not be checked (is the database migrated? make migrate)' });
      return state.status === 'ok'
        ? json(200, { status: 'ok', mysql, redis, read_model: 'ok' })
        : json(200, { status: 'degraded', mysql, redis, read_model: state.reason });
    },
  },
  {
    method: 'GET', pattern: '/metrics', source: 'none', hasBody: false,
    async handler(_request, _params, { metricsText }) {
      const { contentType, body } = await metricsText();
      return { status: 200, headers: { 'content-type': contentType }, body };
    },
  },
  route('GET', '/:locale', { source: 'none' }, index),
  route('GET', '/:locale/', { source: 'none' }, index),
  ...ENTITIES.flatMap(entityRoutes),
] satisfies Route[]);
