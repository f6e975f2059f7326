// `make services`: makes sure MySQL and Redis answer at MYSQL_URL and REDIS_URL. Where one does not and its
// server binary is installed, a private instance is started on loopback under SERVICES_DIR (git-ignored);
// otherwise it stops with a message saying what to install. It never puts a fresh, empty private MySQL where a
// server of the user's answered before: that would serve a different database under the configured address.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { loadConfig, mysqlConnectionSettings, type Config } from '../core/index.js';
import { runCli } from './cli.js';

export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

async function mysqlAnswers(mysqlUrl: string): Promise<boolean> {
  const { host, port, user, password } = mysqlConnectionSettings(mysqlUrl, true);
  try {
    const connection = await mysql.createConnection({ host, port, user, password, connectTimeout: 2_000 });
    await connection.query('SELECT 1');
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

async function redisAnswers(redisUrl: string): Promise<boolean> {
  const redis = new Redis(redisUrl, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 2_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function findBinary(name: string, extraDirs: readonly string[] = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin']): string | undefined {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return extraDirs.map((d) => `${d}/${name}`).find((p) => existsSync(p));
}

async function waitUntil(check: () => Promise<boolean>, what: string, logFile: string, seconds = 30): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await check()) return;
    await sleep(250);
  }
  throw new ServiceUnavailableError(`${what} was started but did not answer within ${seconds} s; see ${logFile}`);
}

async function startMariadb(config: Config, log: (line: string) => void): Promise<void> {
  const url = new URL(config.mysqlUrl);
  const where = `${url.hostname}:${url.port || 3306}`;
  const server = findBinary('mariadbd') ?? findBinary('mysqld');
  const installer = findBinary('mariadb-install-db') ?? findBinary('mysql_install_db');
  if (!LOOPBACK.has(url.hostname)) {
    throw new ServiceUnavailableError(`MySQL does not answer at ${where} (MYSQL_URL). It is not on this machine, so it cannot be started here: start it, or point MYSQL_URL at a running server.`);
  }
  if (!server || !installer) {
    throw new ServiceUnavailableError(`MySQL does not answer at ${where} (MYSQL_URL) and no MariaDB server is installed. Install one (Debian/Ubuntu: apt-get install mariadb-server), or point MYSQL_URL at a running MySQL/MariaDB.`);
  }
  const dir = resolve(config.servicesDir, 'mariadb');
  const dataDir = `${dir}/data`;
  const logFile = `${dir}/mariadb.log`;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(`${dataDir}/mysql`)) {
    log(`initialising a private MariaDB data directory in ${dataDir}`);
    const init = spawnSync(installer, ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db',
      ...(process.getuid?.() === 0 ? ['--user=root'] : [])], { encoding: 'utf8' });
    if (init.status !== 0) throw new ServiceUnavailableError(`${installer} failed: ${init.stderr || init.stdout}`);
  }
  log(`starting a private MariaDB on ${where} (data in ${dataDir}, log in ${logFile})`);
  const child = spawn(server, ['--no-defaults', `--datadir=${dataDir}`, `--port=${url.port || 3306}`, '--bind-address=127.0.0.1',
    `--socket=${dir}/mariadb.sock`, `--pid-file=${dir}/mariadb.pid`, `--log-error=${logFile}`,
    ...(process.getuid?.() === 0 ? ['--user=root'] : [])], { detached: true, stdio: 'ignore' });
  child.unref();
  await waitUntil(() => mysqlAnswers(config.mysqlUrl), 'MariaDB', logFile);
}

async function startRedis(config: Config, log: (line: string) => void): Promise<void> {
  const url = new URL(config.redisUrl);
  const where = `${url.hostname}:${url.port || 6379}`;
  const server = findBinary('redis-server');
  if (!LOOPBACK.has(url.hostname)) {
    throw new ServiceUnavailableError(`Redis does not answer at ${where} (REDIS_URL). It is not on this machine, so it cannot be started here: start it, or point REDIS_URL at a running server.`);
  }
  if (!server) {
    throw new ServiceUnavailableError(`Redis does not answer at ${where} (REDIS_URL) and redis-server is not installed. Install it (Debian/Ubuntu: apt-get install redis-server), or point REDIS_URL at a running Redis.`);
  }
  const dir = resolve(config.servicesDir, 'redis');
  const logFile = `${dir}/redis.log`;
  mkdirSync(dir, { recursive: true });
  log(`starting a private Redis on ${where} (log in ${logFile})`);
  const out = openSync(logFile, 'a');
  const child = spawn(server, ['--bind', '127.0.0.1', '--port', String(url.port || 6379), '--save', '', '--appendonly', 'no', '--dir', dir,
    '--pidfile', `${dir}/redis.pid`],
    { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  await waitUntil(() => redisAnswers(config.redisUrl), 'Redis', logFile);
}

/** Which servers answered at which address, and whether they were this project's private ones (SERVICES_DIR/servers.json). */
type SeenServers = Record<string, { readonly private: boolean; readonly lastSeen: string }>;

function seenFile(config: Config): string {
  return resolve(config.servicesDir, 'servers.json');
}

function readSeen(config: Config): SeenServers {
  try {
    return JSON.parse(readFileSync(seenFile(config), 'utf8')) as SeenServers;
  } catch {
    return {};
  }
}

function recordSeen(config: Config, address: string, isPrivate: boolean): void {
  const seen = { ...readSeen(config), [address]: { private: isPrivate, lastSeen: new Date().toISOString() } };
  mkdirSync(config.servicesDir, { recursive: true });
  writeFileSync(seenFile(config), `${JSON.stringify(seen, null, 2)}\n`);
}

/** Whether the server answering is the private instance this project started (its pid file names a live process). */
function isPrivateInstance(config: Config, service: 'mariadb' | 'redis'): boolean {
  const pidFile = resolve(config.servicesDir, service, `${service}.pid`);
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

function mysqlAddress(config: Config): string {
  const url = new URL(config.mysqlUrl);
  return `mysql ${url.hostname}:${url.port || 3306}`;
}

function redisAddress(config: Config): string {
  const url = new URL(config.redisUrl);
  return `redis ${url.hostname}:${url.port || 6379}`;
}

/** Checks both services, starting private instances where possible; throws ServiceUnavailableError otherwise. */
export async function ensureServices(config: Config, log: (line: string) => void = () => undefined): Promise<void> {
  const [mysqlUp, redisUp] = await Promise.all([mysqlAnswers(config.mysqlUrl), redisAnswers(config.redisUrl)]);
  const seen = readSeen(config);
  if (mysqlUp) {
    log(`MySQL answers at ${new URL(config.mysqlUrl).host}`);
    recordSeen(config, mysqlAddress(config), isPrivateInstance(config, 'mariadb'));
  } else {
    const before = seen[mysqlAddress(config)];
    if (before && !before.private) {
      throw new ServiceUnavailableError(`MySQL at ${new URL(config.mysqlUrl).host} (MYSQL_URL) answered before (your server, last seen ${before.lastSeen}) and does not answer now. ` +
        `Start it again. A private MariaDB started in its place would be another, empty database under the same address, so make services does not do it; ` +
        `to have one anyway, delete ${seenFile(config)} or point MYSQL_URL elsewhere.`);
    }
    await startMariadb(config, log);
    recordSeen(config, mysqlAddress(config), true);
  }
  if (redisUp) {
    log(`Redis answers at ${new URL(config.redisUrl).host}`);
    recordSeen(config, redisAddress(config), isPrivateInstance(config, 'redis'));
  } else {
    const before = seen[redisAddress(config)];
    if (before && !before.private) {
      log(`WARNING: Redis at ${new URL(config.redisUrl).host} answered before (your server) and does not now: starting a private, EMPTY Redis in its place. ` +
        'The runtimes rebuild the read model from MySQL by themselves (it holds only projections).');
    }
    await startRedis(config, log);
    recordSeen(config, redisAddress(config), true);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    await ensureServices(loadConfig(), (line) => console.log(`services: ${line}`));
  });
}
