import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import { launchRuntime, RUNTIME_NAMES } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { freePort } from '../../support/net.js';

type LogLine = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// What a real runtime writes when a request fails for an unexpected reason: MySQL answers, but the table the
// route reads is gone (renamed away for the request), which no error mapping expects: 500 INTERNAL.
describe('runtime logs (pino, one JSON line per message)', function () {
  this.timeout(60_000);
  let app: Application;
  let dir: string;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    dir = mkdtempSync(join(tmpdir(), 'cqrs-runtime-logs-'));
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const workerOf = { fork: /^child-\d+$/, express: /^0$/, uws: /^worker-\d+$/ } as const;
  const mainOf = { fork: 'master', express: '0', uws: 'main' } as const;

  for (const name of RUNTIME_NAMES) {
    it(`${name}: an INTERNAL error is logged with its stack, bound to the runtime and the worker that served it`, async () => {
      const logFile = join(dir, `${name}.log`);
      const runtime = await launchRuntime({ name, port: await freePort(), logFile, env: { FORK_WORKERS: '1', UWS_WORKERS: '1', PROJECTOR: '0', LOG_LEVEL: 'info' } });
      let status: number;
      let body: LogLine;
      try {
        await app.knex.raw(`RENAME TABLE \`${Tables.products}\` TO \`products_hidden\``);
        try {
          const res = await fetch(`${runtime.url}/en/products/db/1`);
          status = res.status;
          body = await res.json() as LogLine;
        } finally {
          await app.knex.raw(`RENAME TABLE \`products_hidden\` TO \`${Tables.products}\``);
        }
      } finally {
        expect(await runtime.stop()).to.equal(0);
      }
      expect(status).to.equal(500);
      expect(body).to.deep.include({ code: 'INTERNAL' });
      expect(JSON.stringify(body)).to.not.contain('products_hidden'); // the client never sees the cause

      const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
      const failed = lines.filter((l) => l.level === 'error' && l.msg === 'request failed');
      expect(failed, JSON.stringify(lines)).to.have.length(1);
      const line = failed[0]!;
      expect(line.runtime).to.equal(name);
      expect(line.worker).to.match(workerOf[name]);
      expect(line.err.stack, JSON.stringify(line.err)).to.be.a('string').and.contain('products');
      expect(JSON.stringify(line.err)).to.contain('ER_NO_SUCH_TABLE');
      expect(line.err.stack.split('\n').length, line.err.stack).to.be.greaterThan(1);
      // The main process's own lines (start, SIGTERM) are bound too.
      const main = lines.filter((l) => l.worker === mainOf[name] && l.runtime === name && /SIGTERM/.test(l.msg));
      expect(main, JSON.stringify(lines)).to.have.length(1);
    });
  }
});
