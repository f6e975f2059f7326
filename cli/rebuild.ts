import { createApplication, type Application } from '../core/app.js';
import { ConfigError, loadConfig } from '../core/config.js';
import { AGGREGATE_TYPES, type RebuildResult } from '../core/projections/ProjectionRebuilder.js';
import { ENTITY_NAMES } from '../core/projections/ProjectionRepositories.js';
import type { AggregateType } from '../core/queries/sql.js';
import { connectRedis } from '../core/redis/connection.js';
import { runCli } from './cli.js';
import { createProgress } from './progress.js';

/** Rebuilds the named projections ('all' or products / customers / orders) with progress on the terminal. */
export async function rebuildProjections(app: Application, which: string): Promise<RebuildResult[]> {
  const type = (Object.keys(ENTITY_NAMES) as AggregateType[]).find((t) => ENTITY_NAMES[t] === which);
  if (which !== 'all' && !type) {
    throw new ConfigError(`unknown projection "${which}"; use all, ${AGGREGATE_TYPES.map((t) => ENTITY_NAMES[t]).join(', ')}`);
  }
  const progress = createProgress();
  const onProgress = (p: { type: AggregateType; done: number; total: number }) => progress.update(ENTITY_NAMES[p.type], p.done, p.total);
  try {
    return type ? [await app.rebuilder.rebuild(type, onProgress)] : await app.rebuilder.rebuildAll(onProgress);
  } finally {
    progress.stop();
  }
}

export function printRebuildResults(results: readonly RebuildResult[]): void {
  for (const r of results) {
    const rate = r.ms > 0 ? Math.round((r.count / r.ms) * 1000) : 0;
    console.log(`rebuild: ${ENTITY_NAMES[r.type]}: ${r.count} projections in ${(r.ms / 1000).toFixed(2)} s (${rate}/s), ` +
      `snapshot at outbox position ${r.snapshotPosition}, ${r.eventsReplayed} later events replayed`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    const app = createApplication(loadConfig());
    try {
      await connectRedis(app.redis);
      printRebuildResults(await rebuildProjections(app, process.argv[2] ?? 'all'));
    } finally {
      await app.close();
    }
  });
}
