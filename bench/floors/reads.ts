// What a floor server does for a request, and nothing else: the same read as the runtimes' routes (core's
// reads of MySQL or of the projections, through core's public entry), the same wire format (pageBody,
// JSON.stringify), no pipeline, no hooks, no metrics. Shared by every floor (bench/floors/*.ts).
import type { Server as HttpServer } from 'node:http';
import { announceReady } from '../../runtimes/launcher.js';
import {
  createApplication, ENTITIES, isAppError, loadConfig, pageBody, parsePageRequest,
  type Application, type EntityName,
} from '../../core/index.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

export interface FloorAnswer {
  readonly status: number;
  readonly body: string;
}

/** The routes a cell reads, per entity: `/:locale/<plural>/{db,projection}[/:id]` (as core/http/routes.ts). */
export const FLOOR_ROUTES = ENTITIES.flatMap(({ plural }) => (['db', 'projection'] as const).flatMap((source) => [
  { plural: plural as EntityName, source, pattern: `/:locale/${plural}/${source}`, byId: false },
  { plural: plural as EntityName, source, pattern: `/:locale/${plural}/${source}/:id`, byId: true },
]));

/** The application, booted once per process or thread (pools kept), Redis connected. */
export async function bootFloorApplication(): Promise<Application> {
  const app = createApplication(loadConfig());
  await app.connectRedis();
  return app;
}

function failed(error: unknown): FloorAnswer {
  if (isAppError(error)) return { status: error.status, body: JSON.stringify({ error: error.message, code: error.code }) };
  return { status: 500, body: JSON.stringify({ error: 'Internal error', code: 'INTERNAL' }) };
}

/** The answer's serialisation, in a function of its own so that the CPU attribution counts it as JSON, as the runtimes' `json`. */
function json(value: unknown): string {
  return JSON.stringify(value);
}

const TYPE_OF = new Map(ENTITIES.map((e) => [e.plural as string, e.type]));

/** A get by id (`id` as the URL has it) or a page (`query` without its `?`), from MySQL or from the projections. */
export async function answer(app: Application, plural: EntityName, source: 'db' | 'projection', locale: string, id: string | undefined, query: string): Promise<FloorAnswer> {
  try {
    if (locale !== 'en') return { status: 404, body: JSON.stringify({ error: 'Unknown locale', code: 'NOT_FOUND' }) };
    const type = TYPE_OF.get(plural)!;
    const reads = app.reads[type][source] as Application['reads']['product']['db'];
    if (id !== undefined) {
      if (!/^[1-9]\d{0,14}$/.test(id)) return { status: 400, body: JSON.stringify({ error: 'Invalid id', code: 'VALIDATION_FAILED' }) };
      return { status: 200, body: json({ [type]: await reads.get(Number(id)) }) };
    }
    const page = parsePageRequest(Object.fromEntries(new URLSearchParams(query)), app.config);
    return { status: 200, body: json(pageBody(plural, page, await reads.list(page))) };
  } catch (error) {
    return failed(error);
  }
}

/** Matches `/<locale>/<plural>/<db|projection>[/<id>]` for the routers that have none (node:http, the FPM-like pool). */
export function matchFloorPath(path: string): { plural: EntityName; source: 'db' | 'projection'; locale: string; id: string | undefined } | undefined {
  const match = /^\/([^/]+)\/([a-z]+)\/(db|projection)(?:\/([^/]+))?$/.exec(path);
  if (!match || !TYPE_OF.has(match[2]!)) return undefined;
  return { locale: match[1]!, plural: match[2] as EntityName, source: match[3] as 'db' | 'projection', id: match[4] };
}

export const NOT_FOUND: FloorAnswer = { status: 404, body: JSON.stringify({ error: 'Not found', code: 'NOT_FOUND' }) };

/** The runtimes' host (HOST) and the port the bench gave the floor (FLOOR_PORT, the bench's own launch parameter). */
export function floorAddress(): { host: string; port: number } {
  return { host: loadConfig().runtimes.host, port: Number(process.env.FLOOR_PORT) };
}

/** Runs `stop` once on SIGTERM/SIGINT, then exits 0. */
export function stopOnSignals(stop: () => Promise<void>): void {
  const handler = () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
    stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/**
 * A node:http floor (node:http, Express, the FPM-like master) on the floor's address: says ready to the launcher
 * once listening; on a signal closes every connection, then runs `cleanup`.
 */
export function serveFloor(server: HttpServer, cleanup: () => Promise<unknown>): void {
  const { host, port } = floorAddress();
  server.keepAliveTimeout = 65_000;
  server.listen(port, host, () => announceReady(port));
  stopOnSignals(async () => {
    server.close();
    server.closeAllConnections();
    await cleanup();
  });
}
