/**
 * The bench's own seeded PRNG (mulberry32, the algorithm the seeder uses too): the ids a get run requests are
 * part of what a run measures, so they must not change when the seeder's data generator does. Same seed,
 * same sequence, on every machine; floats in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
