// Redis key layout of one entity's projections (documented in docs/application.md, "Redis key layout"):
//   {prefix}{entity}:data   hash  id → the projection, msgpack or JSON text (PROJECTION_ENCODING)
//   {prefix}{entity}:ver    hash  id → outbox position of the last event applied (kept for deleted ids too)
//   {prefix}{entity}:ids    zset  id scored by id: the list order, pages by rank or by id, ZCARD is the total
// A rebuild writes the same three keys under {prefix}{entity}:rebuild:… and swaps them in with one Lua script
// (ProjectionRepository's SWAP_SCRIPT: Redis runs a script atomically), fenced by the rebuild lease.
// Shared by the three entities:
//   {prefix}readmodel:identity       string  which write model, data set and encoding the read model was built from;
//                                            absent while it is not to be trusted (emptied, being rebuilt)
//   {prefix}readmodel:rebuild-lease  string  the token of the one process rebuilding (a lease: it expires if not renewed)
//   {prefix}projector:checkpoint     string  outbox position of the last event the projector applied

import { ENTITY_NAMES } from '../model/catalogue.js';

export interface ProjectionKeySet {
  readonly data: string;
  readonly ver: string;
  readonly ids: string;
}

export interface ProjectionKeys {
  readonly live: ProjectionKeySet;
  readonly rebuild: ProjectionKeySet;
  /** The read model's identity: a read that finds no projection trusts the miss only while it is there. */
  readonly identity: string;
  /** Held by the process rebuilding (any entity): its token fences the writes into `rebuild` and the swap. */
  readonly rebuildLease: string;
}

function keySet(base: string): ProjectionKeySet {
  return Object.freeze({ data: `${base}:data`, ver: `${base}:ver`, ids: `${base}:ids` });
}

export function projectionKeys(prefix: string, entity: string): ProjectionKeys {
  return Object.freeze({
    live: keySet(`${prefix}${entity}`),
    rebuild: keySet(`${prefix}${entity}:rebuild`),
    identity: identityKey(prefix),
    rebuildLease: rebuildLeaseKey(prefix),
  });
}

/** Which write model, data set and encoding the read model belongs to (JSON); absent while it is not to be trusted. */
export function identityKey(prefix: string): string {
  return `${prefix}readmodel:identity`;
}

/** The one rebuild at a time, of one entity or of all. */
export function rebuildLeaseKey(prefix: string): string {
  return `${prefix}readmodel:rebuild-lease`;
}

/** The projector's checkpoint: position of the last outbox event it applied. */
export function checkpointKey(prefix: string): string {
  return `${prefix}projector:checkpoint`;
}

/**
 * Every key a read model under `prefix` consists of: each entity's live and rebuild key sets, the identity and the
 * checkpoint (not the rebuild lease, nor another read model nested under the prefix): what "Redis lost" loses.
 */
export function readModelKeys(prefix: string): string[] {
  const sets = ENTITY_NAMES.flatMap((entity) => {
    const { live, rebuild } = projectionKeys(prefix, entity);
    return [live, rebuild].flatMap((set) => [set.data, set.ver, set.ids]);
  });
  return [...sets, identityKey(prefix), checkpointKey(prefix)];
}
