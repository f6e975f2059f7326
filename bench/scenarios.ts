import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENTITY_NAMES, PROJECTION_READS } from '../core/index.js';
import { RUNTIME_NAMES } from '../runtimes/launcher.js';
import type { EntityName, ReadMode, ReadOperation, RuntimeName, Source, WriteCommand } from './results.js';

// The scenarios, defined once in bench/scenarios.json and shared by every driver (autocannon, wrk, k6).

export const SCENARIOS_PATH = fileURLToPath(new URL('../../bench/scenarios.json', import.meta.url));

export interface Timing {
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly repeats: number;
}

export interface Scenarios extends Timing {
  readonly connections: number;
  readonly quick: Timing;
  readonly thresholds: { readonly maxErrorRate: number; readonly p99Ms: number };
  readonly listQuery: string;
  readonly entities: readonly EntityName[];
  readonly sources: Readonly<Record<Source, string>>;
  readonly operations: Readonly<Record<ReadOperation, string>>;
  readonly sweep: { readonly workers: readonly number[]; readonly runtimes: readonly RuntimeName[]; readonly entity: EntityName; readonly source: Source; readonly operation: ReadOperation };
  readonly reads: { readonly connections: number; readonly runtime: RuntimeName; readonly entity: EntityName; readonly list: readonly ReadMode[]; readonly get: readonly ReadMode[] };
  readonly writes: WriteScenarios;
  readonly mixed: MixedScenario;
}

/** A command as the scenarios define it: `{id}`, `{customer_id}`, `{items}` and `[<id>]` filled per request (bench/writes.ts). */
export interface CommandTemplate {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: Readonly<Record<string, string>>;
}

/** `entity/command`, e.g. `products/create`. */
export type CommandName = `${EntityName}/${WriteCommand}`;

export interface WriteScenarios {
  readonly connections: readonly number[];
  readonly quick: { readonly connections: readonly number[]; readonly commands: readonly CommandName[] };
  /** The Idempotency-Key header of every command, with its `[<id>]`. */
  readonly idempotencyKey: string;
  readonly commands: Readonly<Record<EntityName, Partial<Record<WriteCommand, CommandTemplate>>>>;
  readonly orderLines: { readonly min: number; readonly max: number };
  /** Rows an update cell creates first and then updates in turn. */
  readonly updateRows: number;
  /** A delete cell first creates rows for this many times its timed seconds, and for this many times what its previous run deleted (it deletes each once). */
  readonly deleteSetupFactor: number;
  /** The command the write floor does (bench/floors/write.ts). */
  readonly floor: { readonly entity: EntityName; readonly command: WriteCommand };
}

export interface MixedScenario {
  readonly connections: number;
  /** Commands in every 10 requests; the rest are projection reads. */
  readonly commandsPerTen: number;
  readonly reads: readonly EntityName[];
  readonly commands: readonly CommandName[];
}

const RUNTIMES: readonly string[] = RUNTIME_NAMES;
const ENTITIES: readonly string[] = ENTITY_NAMES;
const READ_MODES: readonly string[] = PROJECTION_READS;

function fail(message: string): never {
  throw new Error(`bench/scenarios.json: ${message}`);
}

function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(`${name} must be a whole number ≥ 1`);
  return value;
}

/** Reads and checks the scenarios; a mistake in the file stops the run with the field named. */
export function validateScenarios(raw: unknown): Scenarios {
  const s = raw as Scenarios;
  positive(s.connections, 'connections');
  for (const [timing, prefix] of [[s, ''], [s.quick, 'quick.']] as const) {
    if (!timing) fail('quick is missing');
    positive(timing.durationSec, `${prefix}durationSec`);
    positive(timing.repeats, `${prefix}repeats`);
    if (typeof timing.warmupSec !== 'number' || timing.warmupSec < 0) fail(`${prefix}warmupSec must be ≥ 0`);
  }
  if (typeof s.thresholds?.maxErrorRate !== 'number' || typeof s.thresholds?.p99Ms !== 'number') fail('thresholds needs maxErrorRate and p99Ms');
  if (!/^limit=(\d+|all)$/.test(s.listQuery)) fail('listQuery must be limit=N or limit=all');
  if (!Array.isArray(s.entities) || s.entities.length === 0 || s.entities.some((e) => !ENTITIES.includes(e))) fail(`entities must be among ${ENTITIES.join(', ')}`);
  if (s.sources?.db !== 'db' || s.sources?.redis !== 'projection') fail('sources must map db→db and redis→projection');
  for (const op of ['get', 'list'] as const) {
    const pattern = s.operations?.[op];
    if (typeof pattern !== 'string' || !pattern.includes('{entity}') || !pattern.includes('{source}')) fail(`operations.${op} must be a path with {entity} and {source}`);
  }
  if (!s.operations.get.includes('{id}')) fail('operations.get must contain {id}');
  s.sweep.workers.forEach((w, i) => positive(w, `sweep.workers[${i}]`));
  if (s.sweep.runtimes.some((r) => !RUNTIMES.includes(r))) fail('sweep.runtimes must be among fork, express, uws');
  if (!RUNTIMES.includes(s.reads.runtime)) fail('reads.runtime must be fork, express or uws');
  positive(s.reads.connections, 'reads.connections');
  if ([...s.reads.list, ...s.reads.get].some((m) => !READ_MODES.includes(m))) fail(`reads modes must be among ${READ_MODES.join(', ')}`);
  validateWrites(s);
  return s;
}

const UNIQUE = '[<id>]';

function validateWrites(s: Scenarios): void {
  const w = s.writes;
  if (!w) fail('writes is missing');
  for (const [list, name] of [[w.connections, 'writes.connections'], [w.quick?.connections, 'writes.quick.connections']] as const) {
    if (!Array.isArray(list) || list.length === 0) fail(`${name} must list connection counts`);
    list.forEach((c, i) => positive(c, `${name}[${i}]`));
  }
  if (typeof w.idempotencyKey !== 'string' || !w.idempotencyKey.includes(UNIQUE)) fail(`writes.idempotencyKey must contain ${UNIQUE} (a key per request)`);
  const known = new Set<string>();
  for (const entity of ENTITIES as readonly EntityName[]) {
    const commands = w.commands?.[entity];
    if (!commands?.create) fail(`writes.commands.${entity}.create is missing`);
    for (const [command, template] of Object.entries(commands)) {
      const where = `writes.commands.${entity}.${command}`;
      if (!['create', 'update', 'delete'].includes(command)) fail(`${where}: a command is create, update or delete`);
      if (!['POST', 'PUT', 'DELETE'].includes(template.method) || !template.path.startsWith('/')) fail(`${where} needs a method (POST, PUT, DELETE) and a path`);
      if ((command === 'create') === template.path.includes('{id}')) fail(`${where}: only update and delete name a row ({id})`);
      if ((template.method === 'DELETE') !== (template.body === undefined)) fail(`${where}: a DELETE has no body, a POST or PUT has one`);
      known.add(`${entity}/${command}`);
    }
  }
  for (const field of ['name', 'email'] as const) {
    for (const entity of ENTITIES as readonly EntityName[]) {
      const value = w.commands[entity].create?.body?.[field];
      if (value !== undefined && !value.includes(UNIQUE)) fail(`writes.commands.${entity}.create.body.${field} must contain ${UNIQUE}: it must be unique per request`);
    }
  }
  for (const name of [...w.quick.commands, ...(s.mixed?.commands ?? [])]) if (!known.has(name)) fail(`${name} is not a command of writes.commands`);
  positive(w.orderLines?.min, 'writes.orderLines.min');
  if (positive(w.orderLines.max, 'writes.orderLines.max') < w.orderLines.min) fail('writes.orderLines.max must be ≥ min');
  positive(w.updateRows, 'writes.updateRows');
  if (typeof w.deleteSetupFactor !== 'number' || w.deleteSetupFactor < 1) fail('writes.deleteSetupFactor must be ≥ 1');
  if (!known.has(`${w.floor?.entity}/${w.floor?.command}`) || w.floor.command !== 'create') fail('writes.floor must name a create command of writes.commands');
  const m = s.mixed;
  if (!m) fail('mixed is missing');
  positive(m.connections, 'mixed.connections');
  if (positive(m.commandsPerTen, 'mixed.commandsPerTen') > 9) fail('mixed.commandsPerTen must be 1 to 9');
  if (!Array.isArray(m.reads) || m.reads.length === 0 || m.reads.some((e) => !ENTITIES.includes(e))) fail('mixed.reads must list entities');
  if (!Array.isArray(m.commands) || m.commands.length === 0 || m.commands.some((c) => !c.endsWith('/create'))) fail('mixed.commands must list create commands (they need no rows of their own)');
}

export function loadScenarios(path = SCENARIOS_PATH): Scenarios {
  return validateScenarios(JSON.parse(readFileSync(path, 'utf8')));
}

/** The path a request of this scenario asks for (`id` only for get). */
export function scenarioPath(scenarios: Scenarios, entity: EntityName, source: Source, operation: ReadOperation, id?: number, listQuery = scenarios.listQuery): string {
  return scenarios.operations[operation]
    .replace('{entity}', entity)
    .replace('{source}', scenarios.sources[source])
    .replace('{listQuery}', listQuery)
    .replace('{id}', String(id ?? ''));
}
