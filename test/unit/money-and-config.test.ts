import { expect } from 'chai';
import { ConfigError, loadConfig, splitMysqlUrl } from '../../core/config.js';
import { formatMoney, parseMoney } from '../../core/money.js';
import { createRandom } from '../../core/seed/random.js';
import { sqlToIso, toSqlDateTime } from '../../core/time.js';

describe('money', () => {
  it('parses decimal strings and numbers into cents without float error', () => {
    expect(parseMoney('99.99')).to.equal(9999);
    expect(parseMoney('0.1')).to.equal(10);
    expect(parseMoney('100')).to.equal(10000);
    expect(parseMoney(19.99)).to.equal(1999);
    expect(parseMoney(' 5.05 ')).to.equal(505);
  });
  it('refuses what is not an amount with at most two decimals', () => {
    for (const bad of ['', 'abc', '1.999', '-1', '1e3', '1,50', '.5', 'NaN']) expect(parseMoney(bad), bad).to.equal(null);
    expect(parseMoney(Number.POSITIVE_INFINITY)).to.equal(null);
  });
  it('formats cents as a decimal string with two decimals', () => {
    expect(formatMoney(9999)).to.equal('99.99');
    expect(formatMoney(5)).to.equal('0.05');
    expect(formatMoney(100000)).to.equal('1000.00');
  });
});

describe('time', () => {
  it('turns MySQL DATETIME strings into ISO 8601 UTC and back', () => {
    expect(sqlToIso('2026-11-25 16:46:13')).to.equal('2026-11-25T16:46:13Z');
    expect(toSqlDateTime(new Date('2026-11-25T16:46:13.789Z'))).to.equal('2026-11-25 16:46:13');
  });
});

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
  it('splits the database out of MYSQL_URL', () => {
    expect(splitMysqlUrl('mysql://root:pw@db:3307/shop')).to.deep.equal({ serverUrl: 'mysql://root:pw@db:3307/', database: 'shop' });
    expect(() => splitMysqlUrl('mysql://root@db/bad-name')).to.throw(ConfigError);
  });
});

describe('seeded random', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 20 }, () => a.int(0, 1_000_000));
    expect(Array.from({ length: 20 }, () => b.int(0, 1_000_000))).to.deep.equal(seqA);
    expect(Array.from({ length: 20 }, () => c.int(0, 1_000_000))).to.not.deep.equal(seqA);
  });
  it('stays in range', () => {
    const r = createRandom(1);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 7);
      expect(v).to.be.within(3, 7);
    }
  });
});
