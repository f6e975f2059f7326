// Loaded before any test: points the configuration at the test's own database, Redis database index and
// key prefix, so a test run never touches data a user seeded. TEST_MYSQL_URL / TEST_REDIS_URL override.
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const baseMysql = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/cqrs_bench';
const baseRedis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

process.env.MYSQL_URL = process.env.TEST_MYSQL_URL ?? withDatabase(baseMysql, 'cqrs_bench_test');
process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? withDatabase(baseRedis, '15');
process.env.REDIS_PREFIX = 'test:';
