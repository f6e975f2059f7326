// The exporters users run beside MariaDB and Redis (Prometheus's mysqld_exporter, oliver006's redis_exporter), as
// installed on this machine: found, pointed at MYSQL_URL / REDIS_URL with the credentials in their environment
// (never on the command line, where `ps` shows them), and started as child processes.
import { spawnSync } from 'node:child_process';
import { findBinary, startDaemon, type RunningDaemon } from './Daemon.js';

export type StoreExporterName = 'mysqld' | 'redis';

export interface StoreExporterKind {
  readonly name: StoreExporterName;
  /** The upstream program's name. */
  readonly program: string;
  /** Binary names to look for on PATH: Debian's first, then upstream's. */
  readonly binaries: readonly string[];
  readonly debianPackage: string;
}

export const STORE_EXPORTERS: Readonly<Record<StoreExporterName, StoreExporterKind>> = Object.freeze({
  mysqld: { name: 'mysqld', program: 'mysqld_exporter', binaries: ['prometheus-mysqld-exporter', 'mysqld_exporter'], debianPackage: 'prometheus-mysqld-exporter' },
  redis: { name: 'redis', program: 'redis_exporter', binaries: ['prometheus-redis-exporter', 'redis_exporter'], debianPackage: 'prometheus-redis-exporter' },
});

export class ExporterNotInstalledError extends Error {
  override name = 'ExporterNotInstalledError';
}

export function exporterInstallHint(kind: StoreExporterKind): string {
  return `${kind.program} is not installed (Debian/Ubuntu: apt-get install ${kind.debianPackage})`;
}

export function findExporterBinary(kind: StoreExporterKind, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findBinary(kind.binaries, env);
}

export interface ExporterLaunch {
  readonly args: string[];
  /** Added to the child's environment: the store's address and credentials. */
  readonly env: Record<string, string>;
}

function hostAndPort(url: URL, defaultPort: number): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : defaultPort };
}

/**
 * mysqld_exporter up to 0.14 (Debian 12's) reads its connection from DATA_SOURCE_NAME; 0.15 and later dropped it
 * for --mysqld.address / --mysqld.username and the password in MYSQLD_EXPORTER_PASSWORD. `helpText` is the
 * installed binary's --help output, which tells the two apart.
 */
export function mysqldExporterLaunch(mysqlUrl: string, listen: string, helpText: string): ExporterLaunch {
  const url = new URL(mysqlUrl);
  const { host, port } = hostAndPort(url, 3306);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const args = [`--web.listen-address=${listen}`];
  if (helpText.includes('--mysqld.address')) {
    // An empty --config.my-cnf: a user's ~/.my.cnf would otherwise override the address and user given here.
    args.push(`--mysqld.address=${address}`, `--mysqld.username=${user}`, '--config.my-cnf=');
    return { args, env: { MYSQLD_EXPORTER_PASSWORD: password } };
  }
  return { args, env: { DATA_SOURCE_NAME: `${user}${password ? `:${password}` : ''}@tcp(${address})/` } };
}

/** redis_exporter reads REDIS_ADDR, REDIS_USER and REDIS_PASSWORD; it reports every database's keyspace, so the index is dropped. */
export function redisExporterLaunch(redisUrl: string, listen: string): ExporterLaunch {
  const url = new URL(redisUrl);
  const { host, port } = hostAndPort(url, 6379);
  const env: Record<string, string> = { REDIS_ADDR: `redis://${host.includes(':') ? `[${host}]` : host}:${port}` };
  if (url.username) env.REDIS_USER = decodeURIComponent(url.username);
  if (url.password) env.REDIS_PASSWORD = decodeURIComponent(url.password);
  return { args: [`--web.listen-address=${listen}`], env };
}

export interface ExporterOptions {
  /** MYSQL_URL for mysqld, REDIS_URL for redis. */
  readonly storeUrl: string;
  readonly port: number;
  readonly host?: string;
  readonly logFile?: string;
  readonly detached?: boolean;
}

export interface RunningExporter extends RunningDaemon {
  /** Where Prometheus scrapes it: host:port. */
  readonly address: string;
}

/** Starts an installed exporter; ready once its /metrics answers. Throws ExporterNotInstalledError when it is not installed. */
export async function startExporter(kind: StoreExporterKind, options: ExporterOptions): Promise<RunningExporter> {
  const binary = findExporterBinary(kind);
  if (!binary) throw new ExporterNotInstalledError(exporterInstallHint(kind));
  const address = `${options.host ?? '127.0.0.1'}:${options.port}`;
  let launch: ExporterLaunch;
  if (kind.name === 'mysqld') {
    const help = spawnSync(binary, ['--help'], { encoding: 'utf8' });
    launch = mysqldExporterLaunch(options.storeUrl, address, `${help.stdout ?? ''}${help.stderr ?? ''}`);
  } else {
    launch = redisExporterLaunch(options.storeUrl, address);
  }
  const daemon = await startDaemon({
    name: kind.program, binary, args: launch.args, env: { ...process.env, ...launch.env },
    readyUrl: `http://${address}/metrics`, logFile: options.logFile, detached: options.detached,
  });
  return { address, pid: daemon.pid, stop: () => daemon.stop() };
}
