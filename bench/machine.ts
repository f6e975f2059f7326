import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { MachineInfo } from './results.js';

const require = createRequire(import.meta.url);

function command(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function osName(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The machine and versions a result was measured with, for RESULTS.md. */
export function machineInfo(): MachineInfo {
  const mysql = command('mariadbd', ['--version']);
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName(),
    kernel: os.release(),
    node: process.version,
    mysql: mysql === 'unknown' ? command('mysqld', ['--version']) : mysql,
    redis: command('redis-server', ['--version']).replace(/ sha=.*$/, ''),
    packages: Object.fromEntries(['@trufflesuite/uws-js-unofficial', 'express', 'knex', 'mysql2', 'ioredis', 'msgpackr', 'prom-client', 'autocannon']
      .map((name) => [name, packageVersion(name)])),
  };
}
