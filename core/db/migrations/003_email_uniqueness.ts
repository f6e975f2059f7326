import type { Knex } from 'knex';

// Two e-mail addresses are the same customer's when they differ only in case. The unique key was the address
// itself under the table's collation (utf8mb4_general_ci), which also takes accents and every character
// beyond the BMP as equal (é = e, 😀 = 😁): distinct addresses were refused. The key is now the address
// lower-cased (Unicode 14's case mapping, which also lower-cases 𐐀 and ẞ) and compared byte for byte. The column
// is generated, so the commands, the seeder, the rebuild and the readers, which never name it, are unchanged; it
// stays NULL once the customer is deleted.
const KEY = 'LOWER(email COLLATE utf8mb4_uca1400_ai_ci)';
const COLUMN = `VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin AS (IF(deleted_at IS NULL, ${KEY}, NULL)) PERSISTENT`;
const FORMER_COLUMN = 'VARCHAR(255) AS (IF(deleted_at IS NULL, email, NULL)) PERSISTENT'; // the table's collation, as email's

/**
 * Live customers whose addresses the new key takes as one, checked before the ALTER: when it meets a duplicate,
 * MariaDB's table copy reports a foreign-key error instead, which would not say what is wrong.
 */
async function refuseDuplicates(knex: Knex, key: string, direction: 'apply' | 'roll back'): Promise<void> {
  const [rows] = await knex.raw(
    `SELECT GROUP_CONCAT(email ORDER BY id SEPARATOR ' = ') AS same FROM customers WHERE deleted_at IS NULL GROUP BY ${key} HAVING COUNT(*) > 1 LIMIT 5`,
  );
  const same = (rows as Array<{ same: string }>).map((row) => row.same);
  if (same.length > 0) {
    throw new Error(`Cannot ${direction} 003_email_uniqueness: live customers share an address under the ${direction === 'apply' ? 'new' : 'former'} key (${same.join('; ')}); the table is unchanged`);
  }
}

async function replaceColumn(knex: Knex, definition: string): Promise<void> {
  await knex.raw(
    'ALTER TABLE customers DROP INDEX customers_email_active_unique, DROP COLUMN email_active, ' +
      `ADD COLUMN email_active ${definition}, ADD UNIQUE INDEX customers_email_active_unique (email_active)`,
  );
}

export async function up(knex: Knex): Promise<void> {
  await refuseDuplicates(knex, `${KEY} COLLATE utf8mb4_bin`, 'apply');
  await replaceColumn(knex, COLUMN);
}

export async function down(knex: Knex): Promise<void> {
  await refuseDuplicates(knex, 'email', 'roll back');
  await replaceColumn(knex, FORMER_COLUMN);
}
