import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENTITY_NAMES, PROJECTION_READS } from '../core/index.js';
import { RUNTIME_NAMES } from '../runtimes/launcher.js';
import type { EntityName, Operation, ReadMode, RuntimeName, Source } from './results.js';

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
  readonly operations: Readonly<Record<Operation, string>>;
  readonly sweep: { readonly workers: readonly number[]; readonly runtimes: readonly RuntimeName[]; readonly entity: EntityName; readonly source: Source; readonly operation: Operation };
  readonly reads: { readonly connections: number; readonly runtime: RuntimeName; readonly entity: EntityName; readonly list: readonly ReadMode[]; readonly get: readonly ReadMode[] };
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
  return s;
}

export function loadScenarios(path = SCENARIOS_PATH): Scenarios {
  return validateScenarios(JSON.parse(readFileSync(path, 'utf8')));
}

/** The path a request of this scenario asks for (`id` only for get). */
export function scenarioPath(scenarios: Scenarios, entity: EntityName, source: Source, operation: Operation, id?: number, listQuery = scenarios.listQuery): string {
  return scenarios.operations[operation]
    .replace('{entity}', entity)
    .replace('{source}', scenarios.sources[source])
    .replace('{listQuery}', listQuery)
    .replace('{id}', String(id ?? ''));
}
