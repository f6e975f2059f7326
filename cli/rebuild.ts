import {
  AGGREGATE_TYPES, ConfigError, createApplication, ENTITIES, entityOf, liveCount, loadConfig, writeOriginalLayout,
  type AggregateType, type Application, type RebuildResult,
} from '../core/index.js';
import { runCli } from './cli.js';
import { createProgress } from './progress.js';

/** Rebuilds the named projections ('all' or products / customers / orders) with progress on the terminal. */
export async function rebuildProjections(app: Application, which: string): Promise<RebuildResult[]> {
  const type = ENTITIES.find((e) => e.plural === which)?.type;
  if (which !== 'all' && !type) {
    throw new ConfigError(`unknown projection "${which}"; use all, ${ENTITIES.map((e) => e.plural).join(', ')} or original`);
  }
  const progress = createProgress();
  const onProgress = (p: { type: AggregateType; done: number; total: number }) => progress.update(entityOf(p.type).plural, p.done, p.total);
  try {
    return type ? [await app.rebuilder.rebuild(type, onProgress)] : await app.rebuilder.rebuildAll(onProgress);
  } finally {
    progress.stop();
  }
}

/** Writes the original demo's Redis layout for every entity (PROJECTION_READS=original… reads it). */
export async function rebuildOriginalLayout(app: Application): Promise<void> {
  const progress = createProgress();
  try {
    for (const type of AGGREGATE_TYPES) {
      const total = await liveCount(app.knex, type);
      const started = performance.now();
      const count = await writeOriginalLayout(app.knex, app.redis, app.config.redisPrefix, type, app.config.rebuildBatchSize,
        (done) => progress.update(`original ${entityOf(type).plural}`, done, Math.max(total, done)));
      console.log(`rebuild: original layout of ${entityOf(type).plural}: ${count} keys in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    }
  } finally {
    progress.stop();
  }
}

export function printRebuildResults(results: readonly RebuildResult[]): void {
  for (const r of results) {
    const rate = r.ms > 0 ? Math.round((r.count / r.ms) * 1000) : 0;
    console.log(`rebuild: ${entityOf(r.type).plural}: ${r.count} projections in ${(r.ms / 1000).toFixed(2)} s (${rate}/s), ` +
      `snapshot at outbox position ${r.snapshotPosition}, ${r.eventsReplayed} later events replayed`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    const app = createApplication(loadConfig());
    try {
      await app.connectRedis();
      const which = process.argv[2] ?? 'all';
      if (which === 'original') await rebuildOriginalLayout(app);
      else printRebuildResults(await rebuildProjections(app, which));
    } finally {
      await app.close();
    }
  });
}
