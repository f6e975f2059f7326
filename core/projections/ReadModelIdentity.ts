import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { ProjectionEncoding } from '../config.js';
import { Tables } from '../db/tables.js';
import { EventStore } from '../events/EventStore.js';
import { FENCE, type Lease } from '../redis/Lease.js';
import { AGGREGATE_TYPES, entityOf } from '../model/catalogue.js';
import { checkpointKey, identityKey, projectionKeys } from './ProjectionKeys.js';

export { identityKey } from './ProjectionKeys.js';

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

export type ReadModelState =
  | { readonly status: 'ok' }
  | { readonly status: 'degraded'; readonly reason: ReadModelProblem; /** The identity as recorded (none when empty). */ readonly recorded?: string };

export async function writeModelIdentity(knex: Knex): Promise<WriteModelIdentity> {
  const row = await knex(Tables.writeModelIdentity).where({ id: 1 }).first('identity', 'generation');
  if (!row) throw new Error(`${Tables.writeModelIdentity} has no row: run the migrations (make migrate)`);
  return { identity: row.identity, generation: Number(row.generation) };
}

// The end of a full rebuild, fenced by its lease (KEYS[1], ARGV[1]): the checkpoint set (down as well as up) to the
// oldest snapshot read (ARGV[2]), then the identity recorded (ARGV[3]), in one step.
const RECORD_REBUILT = `${FENCE}
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
return 1`;

/**
 * Records that the read model now belongs to `identity`, stored in `encoding`, with the projector's checkpoint at
 * `checkpoint` — if `lease` is still held (LEASE_LOST otherwise: a rebuild taken over records nothing).
 */
export async function recordRebuiltReadModel(
  redis: Redis, prefix: string, lease: Lease, checkpoint: number, identity: WriteModelIdentity, encoding: ProjectionEncoding,
): Promise<void> {
  const recorded: ReadModelIdentity = { identity: identity.identity, generation: identity.generation, encoding };
  await redis.eval(RECORD_REBUILT, 3, lease.key, checkpointKey(prefix), identityKey(prefix), lease.token, String(checkpoint), JSON.stringify(recorded));
}

// Deletes the identity if it is still the one read (KEYS[1], ARGV[1]; a concurrent rebuild's new record is kept),
// and the live key sets (KEYS[2..]).
const WITHDRAW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('UNLINK', unpack(KEYS))
return 1`;

/**
 * Withdraws a read model found not to belong to this write model (another database, data set or encoding, a
 * checkpoint past the outbox): its identity and its live projections are deleted, so that no read can find a
 * projection of the other write model and every read that finds none is answered from MySQL, until the rebuild
 * swaps in the new projections and records the new identity. `recorded` is the identity as read; if another
 * process recorded a new one since, nothing is withdrawn.
 */
export async function withdrawReadModel(redis: Redis, prefix: string, recorded: string): Promise<void> {
  const live = AGGREGATE_TYPES.flatMap((type) => Object.values(projectionKeys(prefix, entityOf(type).plural).live));
  await redis.eval(WITHDRAW, 1 + live.length, identityKey(prefix), ...live, recorded);
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
  const degraded = (reason: ReadModelProblem): ReadModelState => ({ status: 'degraded', reason, recorded });
  if (built.identity !== expected.identity) return degraded('other-database');
  if (built.generation !== expected.generation) return degraded('other-data-set');
  // Recorded before the encoding was part of the identity: msgpack, the only encoding there was.
  if ((built.encoding ?? 'msgpack') !== encoding) return degraded('other-encoding');
  if (Number(checkpoint ?? 0) > lastPosition) return degraded('ahead-of-outbox');
  return { status: 'ok' };
}
