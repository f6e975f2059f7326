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
import { prepareTestDatabase } from '../../../support/fixtures.js';

const KNEX_CLI = createRequire(import.meta.url).resolve('knex/bin/cli.js');
const KNEXFILE = fileURLToPath(new URL('../../../../core/db/knexfile.js', import.meta.url));

/** knex's own CLI with the project's knexfile, against `mysqlUrl`. */
function knexCli(mysqlUrl: string, ...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [KNEX_CLI, '--knexfile', KNEXFILE, ...args], { env: { ...process.env, MYSQL_URL: mysqlUrl }, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

// A database of its own, so rolling back never touches the tables the other tests use.
describe('migrations: knex\'s folder and CLI', function () {
  this.timeout(60_000);
  const mysqlUrl = withDatabase(loadConfig().mysqlUrl, `${new URL(loadConfig().mysqlUrl).pathname.slice(1)}_migrations`);
  let knex: Knex;

  before(async () => {
    await prepareTestDatabase(); // services up
    await ensureDatabase(mysqlUrl);
    knex = createKnex(mysqlUrl, { poolMax: 1 });
    await migrateRollbackAll(knex);
  });
  after(async () => {
    await knex.raw(`DROP DATABASE IF EXISTS \`${new URL(mysqlUrl).pathname.slice(1)}\``);
    await knex.destroy();
  });

  it('the compiled build lists every migration of the folder', () => {
    const compiled = readdirSync(MIGRATIONS.directory as string).filter((f) => f.endsWith('.js'));
    const sources = readdirSync(fileURLToPath(new URL('../../../../../core/db/migrations/', import.meta.url))).filter((f) => f.endsWith('.ts'));
    expect(compiled).to.include('001_initial_schema.js');
    expect(compiled.map((f) => f.replace(/\.js$/, ''))).to.deep.equal(sources.map((f) => f.replace(/\.ts$/, '')));
  });

  it('migrate:status (knex\'s CLI) shows the migrations pending, then applied after migrateLatest', async () => {
    const pending = knexCli(mysqlUrl, 'migrate:status');
    expect(pending.output).to.match(/Found 2 Pending Migration file\/files\.\s+001_initial_schema\.js\s+002_write_model_identity\.js/);

    expect(await migrateLatest(knex)).to.deep.equal(['001_initial_schema.js', '002_write_model_identity.js']);
    expect(await knex.schema.hasTable('orders')).to.equal(true);
    expect(await knex('write_model_identity').count({ n: '*' }).first()).to.deep.equal({ n: 1 });
    const done = knexCli(mysqlUrl, 'migrate:status');
    expect(done.status, done.output).to.equal(0);
    expect(done.output).to.match(/Found 2 Completed Migration file\/files\.\s+001_initial_schema\.js\s+002_write_model_identity\.js\s+No Pending Migration files Found\./);
  });

  it('a database migrated by the former hand-kept list (names without .js) is recognised, not reported corrupt', async () => {
    expect(await knex('knex_migrations').where({ name: '001_initial_schema.js' }).update({ name: '001_initial_schema' })).to.equal(1);
    expect(knexCli(mysqlUrl, 'migrate:status').output).to.contain('The migration directory is corrupt');
    expect(await migrateLatest(knex)).to.deep.equal([]);
    expect(await knex('knex_migrations').orderBy('id').pluck('name')).to.deep.equal(['001_initial_schema.js', '002_write_model_identity.js']);
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
