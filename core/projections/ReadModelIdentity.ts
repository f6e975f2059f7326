import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { ProjectionEncoding } from '../config.js';
import { Tables } from '../db/tables.js';
import { EventStore } from '../events/EventStore.js';
import { checkpointKey } from './ProjectionKeys.js';

/** Which write model, and which of its data sets, a read model was built from. */
export interface WriteModelIdentity {
  readonly identity: string;
  readonly generation: number;
}

/** What a full rebuild records: the write model and data set it was built from, and how it is stored. */
export interface ReadModelIdentity extends WriteModelIdentity {
  readonly encoding: ProjectionEncoding;
}

/**
 * Why the read model cannot be trusted: Redis holds no read model (emptied, restarted), one built from another
 * database or an earlier data set, one stored in another PROJECTION_ENCODING than this process reads, or a
 * checkpoint past the outbox's end (the outbox was replaced).
 */
export const READ_MODEL_PROBLEMS = ['empty', 'other-database', 'other-data-set', 'other-encoding', 'ahead-of-outbox'] as const;
export type ReadModelProblem = (typeof READ_MODEL_PROBLEMS)[number];

export type ReadModelState = { readonly status: 'ok' } | { readonly status: 'degraded'; readonly reason: ReadModelProblem };

export function identityKey(prefix: string): string {
  return `${prefix}readmodel:identity`;
}

export async function writeModelIdentity(knex: Knex): Promise<WriteModelIdentity> {
  const row = await knex(Tables.writeModelIdentity).where({ id: 1 }).first('identity', 'generation');
  if (!row) throw new Error(`${Tables.writeModelIdentity} has no row: run the migrations (make migrate)`);
  return { identity: row.identity, generation: Number(row.generation) };
}

/** Records that the read model now belongs to `identity`, stored in `encoding` (the end of a full rebuild). */
export async function recordReadModelIdentity(redis: Redis, prefix: string, identity: WriteModelIdentity, encoding: ProjectionEncoding): Promise<void> {
  const recorded: ReadModelIdentity = { identity: identity.identity, generation: identity.generation, encoding };
  await redis.set(identityKey(prefix), JSON.stringify(recorded));
}

/** Compares the read model's recorded identity and checkpoint with the write model and the encoding read. */
export async function readModelState(knex: Knex, redis: Redis, prefix: string, encoding: ProjectionEncoding): Promise<ReadModelState> {
  const [recorded, checkpoint, expected, lastPosition] = await Promise.all([
    redis.get(identityKey(prefix)),
    redis.get(checkpointKey(prefix)),
    writeModelIdentity(knex),
    EventStore.lastPosition(knex),
  ]);
  if (recorded === null) return { status: 'degraded', reason: 'empty' };
  const built = JSON.parse(recorded) as WriteModelIdentity & { encoding?: ProjectionEncoding };
  if (built.identity !== expected.identity) return { status: 'degraded', reason: 'other-database' };
  if (built.generation !== expected.generation) return { status: 'degraded', reason: 'other-data-set' };
  // Recorded before the encoding was part of the identity: msgpack, the only encoding there was.
  if ((built.encoding ?? 'msgpack') !== encoding) return { status: 'degraded', reason: 'other-encoding' };
  if (Number(checkpoint ?? 0) > lastPosition) return { status: 'degraded', reason: 'ahead-of-outbox' };
  return { status: 'ok' };
}
