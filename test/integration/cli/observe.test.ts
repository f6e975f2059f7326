import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exporterPaths, startNativeExporters, stopNativeExporters } from '../../../cli/observe.js';
import { loadConfig } from '../../../core/config.js';
import { findFreePort } from '../../../runtimes/launcher.js';

// `make observe`'s native exporters against the real MariaDB and Redis of MYSQL_URL / REDIS_URL.

describe('observe: native store exporters (make observe without Docker)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'observe-exporters-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the installed exporters on their ports against MYSQL_URL / REDIS_URL, says so when already running, and stops them', async () => {
    const config = loadConfig({ ...process.env, OBSERVE_DIR: dir, MYSQLD_EXPORTER_PORT: String(await findFreePort()), REDIS_EXPORTER_PORT: String(await findFreePort()) });
    const lines: string[] = [];
    const started = await startNativeExporters(config, (line) => lines.push(line));
    try {
      expect(started.map((e) => [e.kind.name, e.address])).to.deep.equal([
        ['mysqld', `127.0.0.1:${config.observe.mysqldExporterPort}`], ['redis', `127.0.0.1:${config.observe.redisExporterPort}`],
      ]);
      for (const { kind, pid, address } of started) {
        expect(readFileSync(exporterPaths(config, kind).pidFile, 'utf8').trim(), kind.program).to.equal(String(pid));
        const text = await (await fetch(`http://${address}/metrics`)).text();
        expect(text, kind.program).to.match(kind.name === 'mysqld' ? /^mysql_up 1$/m : /^redis_up 1$/m);
      }
      const again = await startNativeExporters(config, (line) => lines.push(line));
      expect(again.map((e) => e.pid)).to.deep.equal(started.map((e) => e.pid));
      expect(lines.filter((l) => /already running/.test(l))).to.have.length(2);
    } finally {
      expect(await stopNativeExporters(config)).to.deep.equal(['mysqld_exporter', 'redis_exporter']);
    }
    for (const { kind, address } of started) {
      expect(existsSync(exporterPaths(config, kind).pidFile), kind.program).to.equal(false);
      expect(await fetch(`http://${address}/metrics`).then(() => 'answered', () => 'refused'), kind.program).to.equal('refused');
    }
    expect(await stopNativeExporters(config)).to.deep.equal([]);
  });

});
