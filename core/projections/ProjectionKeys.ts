// Redis key layout of one entity's projections (documented in README, "Redis key layout"):
//   {prefix}{entity}:data   hash  id → the projection, msgpack or JSON text (PROJECTION_ENCODING)
//   {prefix}{entity}:ver    hash  id → outbox position of the last event applied (kept for deleted ids too)
//   {prefix}{entity}:ids    zset  id scored by id: the list order, pages by rank or by id, ZCARD is the total
// A rebuild writes the same three keys under {prefix}{entity}:rebuild:… and swaps them in with one Lua script
// (ProjectionRepository's SWAP_SCRIPT: Redis runs a script atomically).

export interface ProjectionKeySet {
  readonly data: string;
  readonly ver: string;
  readonly ids: string;
}

export interface ProjectionKeys {
  readonly live: ProjectionKeySet;
  readonly rebuild: ProjectionKeySet;
  /** Held while a rebuild of this entity runs. */
  readonly rebuildLock: string;
}

function keySet(base: string): ProjectionKeySet {
  return Object.freeze({ data: `${base}:data`, ver: `${base}:ver`, ids: `${base}:ids` });
}

export function projectionKeys(prefix: string, entity: string): ProjectionKeys {
  return Object.freeze({
    live: keySet(`${prefix}${entity}`),
    rebuild: keySet(`${prefix}${entity}:rebuild`),
    rebuildLock: `${prefix}${entity}:rebuild:lock`,
  });
}

/** The projector's checkpoint: position of the last outbox event it applied. */
export function checkpointKey(prefix: string): string {
  return `${prefix}projector:checkpoint`;
}
