import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { loadConfig } from '../../../../core/config.js';
import { createKnex, ensureDatabase } from '../../../../core/db/connection.js';
import { migrateLatest, migrateRollbackAll, MIGRATIONS } from '../../../../core/db/migrate.js';
import { Seeder } from '../../../../core/seed/Seeder.js';
import { prepareTestDatabase } from '../../../support/fixtures.js';

const KNEX_CLI = createRequire(import.meta.url).resolve('knex/bin/cli.js');
const KNEXFILE = fileURLToPath(new URL('../../../../core/db/knexfile.js', import.meta.url));

/** knex's own CLI with the project's knexfile, against `mysqlUrl`. */
function knexCli(mysqlUrl: string, ...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [KNEX_CLI, '--knexfile', KNEXFILE, ...args], { env: { ...process.env, MYSQL_URL: mysqlUrl }, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Every migration of the source folder, as knex records it (`001_initial_schema.js`, …), in order. */
const ALL_MIGRATIONS = readdirSync(fileURLToPath(new URL('../../../../../core/db/migrations/', import.meta.url)))
  .filter((f) => f.endsWith('.ts')).sort().map((f) => f.replace(/\.ts$/, '.js'));
const listed = (names: readonly string[]) => names.map((n) => n.replaceAll('.', '\\.')).join('\\s+');

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The URL of a database of this test file's own, beside the test database (`<test database>_<suffix>`). */
function ownDatabaseUrl(suffix: string): string {
  const base = loadConfig().mysqlUrl;
  return withDatabase(base, `${new URL(base).pathname.slice(1)}_${suffix}`);
}

/** Creates that database if needed and rolls every migration back: a test applies them from scratch. */
async function openWithoutMigrations(mysqlUrl: string): Promise<Knex> {
  await prepareTestDatabase(); // services up
  await ensureDatabase(mysqlUrl);
  const knex = createKnex(mysqlUrl, { poolMax: 1 });
  await migrateRollbackAll(knex);
  return knex;
}

async function dropAndClose(knex: Knex, mysqlUrl: string): Promise<void> {
  await knex.raw(`DROP DATABASE IF EXISTS \`${new URL(mysqlUrl).pathname.slice(1)}\``);
  await knex.destroy();
}

// A database of its own, so rolling back never touches the tables the other tests use.
describe('migrations: knex\'s folder and CLI', function () {
  this.timeout(60_000);
  const mysqlUrl = ownDatabaseUrl('migrations');
  let knex: Knex;

  before(async () => {
    knex = await openWithoutMigrations(mysqlUrl);
  });
  after(async () => {
    await dropAndClose(knex, mysqlUrl);
  });

  it('the compiled build lists every migration of the folder', () => {
    const compiled = readdirSync(MIGRATIONS.directory as string).filter((f) => f.endsWith('.js'));
    const sources = readdirSync(fileURLToPath(new URL('../../../../../core/db/migrations/', import.meta.url))).filter((f) => f.endsWith('.ts'));
    expect(compiled).to.include('001_initial_schema.js');
    expect(compiled.map((f) => f.replace(/\.js$/, ''))).to.deep.equal(sources.map((f) => f.replace(/\.ts$/, '')));
  });

  it('migrate:status (knex\'s CLI) shows the migrations pending, then applied after migrateLatest', async () => {
    const pending = knexCli(mysqlUrl, 'migrate:status');
    expect(ALL_MIGRATIONS.slice(0, 3)).to.deep.equal(['001_initial_schema.js', '002_write_model_identity.js', '003_email_uniqueness.js']);
    expect(pending.output).to.match(new RegExp(`Found ${ALL_MIGRATIONS.length} Pending Migration file/files\\.\\s+${listed(ALL_MIGRATIONS)}`));

    expect(await migrateLatest(knex)).to.deep.equal(ALL_MIGRATIONS);
    expect(await knex.schema.hasTable('orders')).to.equal(true);
    expect(await knex('write_model_identity').count({ n: '*' }).first()).to.deep.equal({ n: 1 });
    const done = knexCli(mysqlUrl, 'migrate:status');
    expect(done.status, done.output).to.equal(0);
    expect(done.output).to.match(new RegExp(`Found ${ALL_MIGRATIONS.length} Completed Migration file/files\\.\\s+${listed(ALL_MIGRATIONS)}\\s+No Pending Migration files Found\\.`));
  });

  it('a database migrated by the former hand-kept list (names without .js) is recognised, not reported corrupt', async () => {
    expect(await knex('knex_migrations').where({ name: '001_initial_schema.js' }).update({ name: '001_initial_schema' })).to.equal(1);
    expect(knexCli(mysqlUrl, 'migrate:status').output).to.contain('The migration directory is corrupt');
    expect(await migrateLatest(knex)).to.deep.equal([]);
    expect(await knex('knex_migrations').orderBy('id').pluck('name')).to.deep.equal(ALL_MIGRATIONS);
  });

  it('migrateRollbackAll drops every table the migrations made', async () => {
    await migrateRollbackAll(knex);
    const [tables] = await knex.raw('SHOW TABLES');
    expect((tables as Record<string, string>[]).map((row) => Object.values(row)[0]).sort()).to.deep.equal(['knex_migrations', 'knex_migrations_lock']);
  });

  it('migrate:make writes a TypeScript migration into the folder it is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cqrs-migrations-'));
    try {
      const made = knexCli(mysqlUrl, 'migrate:make', 'add_probe', '-x', 'ts', '--migrations-directory', dir);
      expect(made.status, made.output).to.equal(0);
      const [file] = readdirSync(dir);
      expect(file).to.match(/^\d{14}_add_probe\.ts$/);
      expect(readFileSync(join(dir, file!), 'utf8')).to.contain('export async function up(knex: Knex)').and.contain('export async function down(knex: Knex)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Its own database too: 001 and 002, a seeded data set, then 003 up and down.
describe('migration 003_email_uniqueness on a seeded database', function () {
  this.timeout(60_000);
  const mysqlUrl = ownDatabaseUrl('email');
  let knex: Knex;

  before(async () => {
    knex = await openWithoutMigrations(mysqlUrl);
    for (const name of ['001_initial_schema.js', '002_write_model_identity.js']) {
      const [, applied] = await knex.migrate.up(MIGRATIONS) as [number, string[]];
      expect(applied).to.deep.equal([name]);
    }
  });
  after(async () => {
    await dropAndClose(knex, mysqlUrl);
  });

  const keyColumn = async () => (await knex.raw(
    "SELECT collation_name AS collation, generation_expression AS expression FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'customers' AND column_name = 'email_active'",
  ))[0][0] as { collation: string; expression: string };
  const customers = async () => knex('customers').select('id', 'name', 'email', 'address', 'city', 'postal_code', 'country', 'created_at', 'deleted_at').orderBy('id');
  const addCustomer = (id: number, email: string, deleted = false) => knex('customers').insert({
    id, name: 'n', email, address: '', city: '', postal_code: '', country: '', created_at: '2026-01-01 00:00:00', deleted_at: deleted ? '2026-01-02 00:00:00' : null,
  });
  const duplicate = async (id: number, email: string) => {
    try {
      await addCustomer(id, email);
    } catch (err) {
      return (err as { code?: string }).code;
    }
    await knex('customers').where({ id }).delete();
    return 'inserted';
  };

  let former: { collation: string; expression: string };

  it('up keeps every row; distinct addresses (accents, emoji, 𐐀/𐐨 apart) become acceptable, a case variant is still a duplicate', async () => {
    former = await keyColumn();
    expect(former).to.deep.equal({ collation: 'utf8mb4_general_ci', expression: 'if(`deleted_at` is null,`email`,NULL)' });
    await new Seeder(knex, 25).seed({ products: 5, customers: 20, orders: 10, itemsPerOrder: 2, seed: 3 });
    await addCustomer(21, 'Mixed.Case@Example.com');
    await addCustomer(22, 'gone@example.com', true);
    expect(await duplicate(23, '😁x@example.com'), 'the former index').to.equal('inserted');
    await addCustomer(23, '😀x@example.com');
    expect(await duplicate(24, '😁x@example.com'), 'the former index takes emoji as equal').to.equal('ER_DUP_ENTRY');
    expect(await duplicate(24, 'mixed.cáse@example.com'), 'and accents').to.equal('ER_DUP_ENTRY');

    // ẞ and ß are distinct under the former collation but one letter in two cases: up says so and changes nothing.
    await addCustomer(25, 'ẞx@example.com');
    await addCustomer(26, 'ßx@example.com');
    const unchanged = await customers();
    let refusal: Error | undefined;
    await knex.migrate.up(MIGRATIONS).catch((err: Error) => { refusal = err; });
    expect(refusal?.message).to.equal('Cannot apply 003_email_uniqueness: live customers share an address under the new key (ẞx@example.com = ßx@example.com); the table is unchanged');
    expect(await customers()).to.deep.equal(unchanged);
    expect(await keyColumn()).to.deep.equal(former);
    expect(await knex('knex_migrations').pluck('name')).to.not.include('003_email_uniqueness.js');
    await knex('customers').where({ id: 26 }).delete();
    const before = await customers();

    const [, applied] = await knex.migrate.up(MIGRATIONS) as [number, string[]];
    expect(applied).to.deep.equal(['003_email_uniqueness.js']);
    expect(await customers()).to.deep.equal(before);
    expect(await keyColumn()).to.deep.include({ collation: 'utf8mb4_bin' });
    expect(await knex('customers').whereNull('deleted_at').whereRaw('email_active <> LOWER(email COLLATE utf8mb4_uca1400_ai_ci)').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
    expect(await knex('customers').whereNotNull('deleted_at').whereNotNull('email_active').count({ n: '*' })).to.deep.equal([{ n: 0 }]);

    expect(await duplicate(24, '😁x@example.com')).to.equal('inserted');
    expect(await duplicate(24, 'mixed.cáse@example.com')).to.equal('inserted');
    expect(await duplicate(24, 'e.é@example.com')).to.equal('inserted');
    expect(await duplicate(24, '𐐀@example.com')).to.equal('inserted');
    expect(await duplicate(24, 'MIXED.CASE@EXAMPLE.COM')).to.equal('ER_DUP_ENTRY');
    expect(await duplicate(24, '😀X@example.com')).to.equal('ER_DUP_ENTRY');
    expect(await duplicate(24, 'gone@example.com'), 'a deleted customer\'s address is free').to.equal('inserted');
    await addCustomer(24, '𐐀@example.com');
    expect(await duplicate(25, '𐐨@example.com'), '𐐨 is 𐐀 lower-cased').to.equal('ER_DUP_ENTRY');
    await knex('customers').where({ id: 24 }).delete();
  });

  it('down is refused, with the reason and the table unchanged, while the data holds addresses the former index takes as equal; once they are gone it restores the former index', async () => {
    await addCustomer(24, '😁x@example.com');
    const before = await customers();
    let refusal: Error | undefined;
    try {
      await knex.migrate.down(MIGRATIONS);
    } catch (err) {
      refusal = err as Error;
    }
    expect(refusal?.message).to.equal('Cannot roll back 003_email_uniqueness: live customers share an address under the former key (😀x@example.com = 😁x@example.com); the table is unchanged');
    expect(await customers()).to.deep.equal(before);
    expect((await keyColumn()).collation).to.equal('utf8mb4_bin');
    expect(await knex('knex_migrations').orderBy('id').pluck('name')).to.include('003_email_uniqueness.js');

    await knex('customers').where({ id: 24 }).delete();
    await knex.migrate.down(MIGRATIONS);
    expect(await keyColumn()).to.deep.equal(former);
    expect(await duplicate(24, 'MIXED.CASE@EXAMPLE.COM')).to.equal('ER_DUP_ENTRY');
    expect(await migrateLatest(knex)).to.include('003_email_uniqueness.js');
    expect((await keyColumn()).collation).to.equal('utf8mb4_bin');
  });
});
