import type { Knex } from 'knex';

// Idempotency-Key (the IETF httpapi draft; Stripe's API): a command sent with a key records its answer under the
// key in the command's own transaction, so a retry gets the first answer back instead of writing again, and a crash
// can never keep the write without the key or the key without the write. The key is compared byte for byte
// (printable ASCII, so `ascii_bin`); the fingerprint is the SHA-256 (hex) of the request's method, path, content
// type and body; the answer (status and body) is NULL only inside the command's transaction, which records it
// before its commit. `expires_at` (UTC) orders the purge of expired keys.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.specificType('idempotency_key', 'VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin').primary();
    t.specificType('fingerprint', 'CHAR(64) CHARACTER SET ascii COLLATE ascii_bin').notNullable();
    t.smallint('status').unsigned().nullable();
    t.text('body', 'mediumtext').nullable();
    t.dateTime('created_at', { precision: 3 }).notNullable();
    t.dateTime('expires_at', { precision: 3 }).notNullable().index('idempotency_keys_expires_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('idempotency_keys');
}
