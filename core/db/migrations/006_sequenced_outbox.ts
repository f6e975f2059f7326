import type { Knex } from 'knex';

// The write path without a shared row. Before, every command locked the one `event_sequence` row to take its
// outbox position and the one `aggregate_counts` row of its entity to count it, each held to its commit: commands
// committed one log flush at a time. Now
// - events get an AUTO_INCREMENT id in the command's transaction and their position after commit, from a
//   sequencing pass that numbers committed events in id order (core/events/EventSequencer.ts); existing events keep
//   their position as their id;
// - live counts are spread over 32 slots per entity, a command adding to the slot of its connection
//   (CONNECTION_ID() % 32) and a count summing them: concurrent commands rarely meet on a row.
const COUNT_SLOTS = 32;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE events ADD COLUMN id BIGINT UNSIGNED NULL FIRST');
  await knex.raw('UPDATE events SET id = position');
  await knex.raw(`ALTER TABLE events DROP PRIMARY KEY,
    MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, ADD PRIMARY KEY (id),
    MODIFY position BIGINT UNSIGNED NULL, ADD UNIQUE KEY events_position (position)`);

  await knex.raw(`ALTER TABLE aggregate_counts ADD COLUMN slot TINYINT UNSIGNED NOT NULL DEFAULT 0 AFTER aggregate_type,
    DROP PRIMARY KEY, ADD PRIMARY KEY (aggregate_type, slot)`);
  const types = (await knex('aggregate_counts').select('aggregate_type') as Array<{ aggregate_type: string }>).map((r) => r.aggregate_type);
  const rows = types.flatMap((type) => Array.from({ length: COUNT_SLOTS - 1 }, (_, i) => ({ aggregate_type: type, slot: i + 1, live_count: 0 })));
  if (rows.length > 0) await knex('aggregate_counts').insert(rows);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE aggregate_counts c JOIN (SELECT aggregate_type, SUM(live_count) AS n FROM aggregate_counts GROUP BY aggregate_type) s
    USING (aggregate_type) SET c.live_count = s.n WHERE c.slot = 0`);
  await knex('aggregate_counts').where('slot', '>', 0).delete();
  await knex.raw('ALTER TABLE aggregate_counts DROP PRIMARY KEY, DROP COLUMN slot, ADD PRIMARY KEY (aggregate_type)');
  // Events never numbered would have no position to keep: number them after the last one, in id order.
  await knex.transaction(async (trx) => {
    await trx.raw('SET @p := (SELECT last_position FROM event_sequence WHERE id = 1 FOR UPDATE)');
    await trx.raw('UPDATE events SET position = (@p := @p + 1) WHERE position IS NULL ORDER BY id');
    await trx.raw('UPDATE event_sequence SET last_position = @p WHERE id = 1');
  });
  await knex.raw('ALTER TABLE events DROP PRIMARY KEY, DROP INDEX events_position, DROP COLUMN id, MODIFY position BIGINT UNSIGNED NOT NULL, ADD PRIMARY KEY (position)');
}
