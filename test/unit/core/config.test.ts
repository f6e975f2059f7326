import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, splitMysqlUrl } from '../../../core/config.js';
import { REPOSITORY_ROOT } from '../../support/hostileCorpus.js';

/** The environment variables loadConfig reads: every name it looks up in the environment it is given. */
function variablesRead(): string[] {
  const read = new Set<string>();
  loadConfig(new Proxy({}, { get: (_, name) => (typeof name === 'string' && read.add(name), undefined) }));
  return [...read].sort();
}

describe('config', () => {
  it('has documented defaults', () => {
    const config = loadConfig({});
    expect(config.mysqlUrl).to.equal('mysql://root@127.0.0.1:3306/cqrs_bench');
    expect(config.redisUrl).to.equal('redis://127.0.0.1:6379/0');
    expect(config.pageDefaultLimit).to.equal(50);
    expect(config.seed.products).to.equal(10_000);
    expect(Object.isFrozen(config)).to.equal(true);
  });
  it('refuses bad values with a message that says how to fix them', () => {
    expect(() => loadConfig({ SEED_PRODUCTS: 'many' })).to.throw(ConfigError, /SEED_PRODUCTS.*whole number.*SEED_PRODUCTS=10000/);
    expect(() => loadConfig({ PAGE_MAX_LIMIT: '0' })).to.throw(ConfigError, /PAGE_MAX_LIMIT=0 is out of range/);
    expect(() => loadConfig({ MYSQL_URL: 'postgres://x/y' })).to.throw(ConfigError, /MYSQL_URL must start with mysql:/);
    expect(() => loadConfig({ PAGE_DEFAULT_LIMIT: '100', PAGE_MAX_LIMIT: '50' })).to.throw(ConfigError, /above PAGE_MAX_LIMIT/);
  });
  it("reads the data path's knobs: auto-pipelining off and msgpack by default", () => {
    expect([loadConfig({}).redisAutoPipelining, loadConfig({}).projectionEncoding]).to.deep.equal([false, 'msgpack']);
    expect(loadConfig({ REDIS_AUTO_PIPELINING: '1', PROJECTION_ENCODING: 'json' })).to.include({ redisAutoPipelining: true, projectionEncoding: 'json' });
    expect(() => loadConfig({ REDIS_AUTO_PIPELINING: 'maybe' })).to.throw(ConfigError, /REDIS_AUTO_PIPELINING.*REDIS_AUTO_PIPELINING=1 or REDIS_AUTO_PIPELINING=0/);
    expect(() => loadConfig({ PROJECTION_ENCODING: 'protobuf' })).to.throw(ConfigError, /PROJECTION_ENCODING="protobuf" is not one of msgpack, json/);
  });
  it('keeps idempotency keys a day by default; IDEMPOTENCY_KEY_TTL_SECONDS from 1 second to a year', () => {
    expect(loadConfig({}).idempotencyKeyTtlSeconds).to.equal(86_400);
    expect(loadConfig({ IDEMPOTENCY_KEY_TTL_SECONDS: '600' }).idempotencyKeyTtlSeconds).to.equal(600);
    expect(loadConfig({ IDEMPOTENCY_KEY_TTL_SECONDS: '31536000' }).idempotencyKeyTtlSeconds).to.equal(31_536_000);
    expect(() => loadConfig({ IDEMPOTENCY_KEY_TTL_SECONDS: '0' })).to.throw(ConfigError, /IDEMPOTENCY_KEY_TTL_SECONDS=0 is out of range; use a value from 1 to 31536000/);
    expect(() => loadConfig({ IDEMPOTENCY_KEY_TTL_SECONDS: '31536001' })).to.throw(ConfigError, /out of range/);
    expect(() => loadConfig({ IDEMPOTENCY_KEY_TTL_SECONDS: '1d' })).to.throw(ConfigError, /IDEMPOTENCY_KEY_TTL_SECONDS="1d" is not a whole number; use e\.g\. IDEMPOTENCY_KEY_TTL_SECONDS=86400/);
  });
  it('puts the store exporters of make observe on 9104 and 9121 unless MYSQLD_EXPORTER_PORT / REDIS_EXPORTER_PORT say otherwise', () => {
    expect(loadConfig({}).observe).to.include({ mysqldExporterPort: 9104, redisExporterPort: 9121 });
    expect(loadConfig({ MYSQLD_EXPORTER_PORT: '18104', REDIS_EXPORTER_PORT: '18121' }).observe).to.include({ mysqldExporterPort: 18104, redisExporterPort: 18121 });
    expect(() => loadConfig({ REDIS_EXPORTER_PORT: '70000' })).to.throw(ConfigError, /REDIS_EXPORTER_PORT=70000 is out of range/);
  });
  it('documents every variable it reads in the configuration table of docs/operations.md', () => {
    const doc = readFileSync(`${REPOSITORY_ROOT}docs/operations.md`, 'utf8');
    const table = /^## Configuration\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? '';
    const documented = new Set([...table.matchAll(/^\|(.*?)\|/gm)].flatMap((row) => [...row[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!)));
    const variables = variablesRead();
    expect(variables).to.include.members(['MYSQL_URL', 'REDIS_URL', 'IDEMPOTENCY_KEY_TTL_SECONDS', 'UWS_WORKERS']);
    expect(variables.filter((name) => !documented.has(name))).to.deep.equal([]);
  });
  it('splits the database out of MYSQL_URL', () => {
    expect(splitMysqlUrl('mysql://root:pw@db:3307/shop')).to.deep.equal({ serverUrl: 'mysql://root:pw@db:3307/', database: 'shop' });
    expect(() => splitMysqlUrl('mysql://root@db/bad-name')).to.throw(ConfigError);
  });
});
