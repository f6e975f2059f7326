import type { Knex } from 'knex';

// One sequencing pass (core/events/EventSequencer.ts) as one round trip. Done from the client it was seven
// statements (SET TRANSACTION, BEGIN, lock the counter, read the unnumbered ids, number them, store the counter,
// COMMIT), each a write and a read on the socket, paid by every command that waits for its events' positions.
// The pass is the same: READ COMMITTED, the counter row locked, committed unnumbered events read without locks
// (a plain cursor: a running transaction's rows are not seen, never waited for), numbered in id order, the counter
// stored, committed; then the events it numbered, as (id, position), read after the commit.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP PROCEDURE IF EXISTS number_events');
  await knex.raw(`
CREATE PROCEDURE number_events(IN batch INT UNSIGNED)
BEGIN
  DECLARE first_position, last_position_now BIGINT UNSIGNED;
  DECLARE next_id BIGINT UNSIGNED;
  DECLARE done BOOL DEFAULT FALSE;
  DECLARE unnumbered CURSOR FOR SELECT id FROM events WHERE position IS NULL ORDER BY id LIMIT batch;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
  START TRANSACTION;
  SELECT last_position INTO last_position_now FROM event_sequence WHERE id = 1 FOR UPDATE;
  SET first_position = last_position_now + 1;
  OPEN unnumbered;
  numbering: LOOP
    FETCH unnumbered INTO next_id;
    IF done THEN LEAVE numbering; END IF;
    SET last_position_now = last_position_now + 1;
    UPDATE events SET position = last_position_now WHERE id = next_id;
  END LOOP;
  CLOSE unnumbered;
  UPDATE event_sequence SET last_position = last_position_now WHERE id = 1;
  COMMIT;
  SELECT id, position FROM events WHERE position BETWEEN first_position AND last_position_now ORDER BY position;
END`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP PROCEDURE IF EXISTS number_events');
}
