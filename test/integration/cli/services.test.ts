import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServices, ServiceUnavailableError } from '../../../cli/services.js';
import { loadConfig, type Config } from '../../../core/config.js';
import { freePort } from '../../support/net.js';

// `make services` against the real MariaDB and Redis: it remembers which servers answered where, and never puts
// a fresh private MySQL where the user's own server used to answer.

describe('make services: never a different database under the configured address', function () {
  this.timeout(60_000);
  let folder: string;
  const configWith = (overrides: Partial<Config>): Config => ({ ...loadConfig(), servicesDir: folder, ...overrides });
  const seen = () => JSON.parse(readFileSync(join(folder, 'servers.json'), 'utf8')) as Record<string, { private: boolean }>;

  beforeEach(() => { folder = mkdtempSync(join(tmpdir(), 'cqrs-services-')); });
  afterEach(() => { rmSync(folder, { recursive: true, force: true }); });

  it('servers that answer are remembered as the user\'s own', async () => {
    const config = configWith({});
    await ensureServices(config);
    const mysql = new URL(config.mysqlUrl);
    const redis = new URL(config.redisUrl);
    expect(seen()[`mysql ${mysql.hostname}:${mysql.port || 3306}`]).to.include({ private: false });
    expect(seen()[`redis ${redis.hostname}:${redis.port || 6379}`]).to.include({ private: false });
  });

  it('the user\'s MySQL down where it answered before: refused with a message, no private database started', async () => {
    const port = await freePort();
    writeFileSync(join(folder, 'servers.json'), JSON.stringify({ [`mysql 127.0.0.1:${port}`]: { private: false, lastSeen: '2026-11-26T12:00:00.000Z' } }));
    const config = configWith({ mysqlUrl: `mysql://root@127.0.0.1:${port}/cqrs_bench_test` });
    const failure = await ensureServices(config).then(() => undefined, (err: Error) => err);
    expect(failure).to.be.instanceOf(ServiceUnavailableError);
    expect(failure!.message).to.match(new RegExp(`MySQL at 127.0.0.1:${port} \\(MYSQL_URL\\) answered before .* does not answer now`));
    expect(failure!.message).to.contain(join(folder, 'servers.json'));
    expect(existsSync(join(folder, 'mariadb')), 'no private MariaDB prepared').to.equal(false);
  });

  it('the user\'s Redis down where it answered before: a private one is started, said loudly, and remembered as private', async () => {
    const port = await freePort();
    writeFileSync(join(folder, 'servers.json'), JSON.stringify({ [`redis 127.0.0.1:${port}`]: { private: false, lastSeen: '2026-11-26T12:00:00.000Z' } }));
    const lines: string[] = [];
    const config = configWith({ redisUrl: `redis://127.0.0.1:${port}/0` });
    try {
      await ensureServices(config, (line) => lines.push(line));
      expect(lines.join('\n')).to.match(/WARNING: Redis at 127\.0\.0\.1:\d+ answered before .* EMPTY Redis/);
      expect(seen()[`redis 127.0.0.1:${port}`]).to.include({ private: true });
    } finally {
      const pidFile = join(folder, 'redis', 'redis.pid');
      if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    }
  });
});
