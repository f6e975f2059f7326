import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import { RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { REPOSITORY_ROOT } from '../../support/hostileCorpus.js';
import {
  CONFORMANCE_CASES, observe, outcomeProblem, renderConformance, tableSection, withTable, type Outcome,
} from '../../support/httpConformance.js';
import { startRuntime } from '../../support/runtimes.js';

// RFC 9112 framing conformance on the three runtimes, over raw TCP: every case of test/support/httpConformance.ts
// on every runtime (at once: uWS's idle timeout makes some cases last 8–12 s), each outcome checked against what
// the RFC allows or the runtime's documented deviation, nothing written, and docs/HTTP-CONFORMANCE.md's table
// equal to the one rendered from what was observed. UPDATE_CONFORMANCE_DOC=1 writes the table instead.

const DOC = `${REPOSITORY_ROOT}docs/HTTP-CONFORMANCE.md`;
/**
 * Long enough that a loaded 2-core machine never turns a slow parse into node's 408 for headers (its headersTimeout
 * is REQUEST_TIMEOUT_MS), short enough that a stalled body's 408 comes before the longest wait.
 */
const REQUEST_TIMEOUT_MS = '4000';
/** The cases of a runtime start this far apart, not all in the same millisecond. */
const STAGGER_MS = 10;

describe('HTTP/1.1 framing conformance (RFC 9112) on the three runtimes', function () {
  this.timeout(120_000);
  let app: Application;
  const runtimes = new Map<RuntimeName, LaunchedRuntime>();
  const observed = {} as Record<RuntimeName, Map<string, Outcome>>;
  const timings: string[] = [];
  let writtenBefore: unknown;

  const writeModel = async () => {
    const [rows] = (await app.knex.raw(
      `SELECT (SELECT COUNT(*) FROM ${Tables.products}) AS products, (SELECT COUNT(*) FROM ${Tables.customers}) AS customers,
        (SELECT COUNT(*) FROM ${Tables.orders}) AS orders, (SELECT COALESCE(MAX(position), 0) FROM ${Tables.events}) AS outbox`,
    )) as [unknown[]];
    return rows[0];
  };

  before(async function () {
    this.timeout(180_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    writtenBefore = await writeModel();
    for (const name of RUNTIME_NAMES) runtimes.set(name, await startRuntime(name, { REQUEST_TIMEOUT_MS }));
    await Promise.all(RUNTIME_NAMES.map(async (name) => {
      const port = Number(new URL(runtimes.get(name)!.url).port);
      observed[name] = new Map();
      await Promise.all(CONFORMANCE_CASES.map(async (c, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * STAGGER_MS));
        const { outcome, ms } = await observe(port, c.request);
        observed[name].set(c.id, outcome);
        if (!/^(served|\d{3})/.test(outcome)) timings.push(`${name} ${c.id}: ${outcome} after ${ms} ms`);
      }));
    }));
    if (process.env.CONFORMANCE_TIMINGS) console.log(timings.sort().join('\n'));
  });
  after(async () => {
    await Promise.all([...runtimes.values()].map((r) => r.stop()));
    await app?.close();
  });

  for (const runtime of RUNTIME_NAMES) {
    it(`${runtime}: every case answered as the RFC allows, or as its documented deviation says`, () => {
      const problems = CONFORMANCE_CASES.map((c) => outcomeProblem(c, runtime, observed[runtime].get(c.id)!)).filter((p) => p !== undefined);
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  }

  it('fork and express answer every case alike (both run node:http)', () => {
    const apart = CONFORMANCE_CASES.filter((c) => observed.fork.get(c.id) !== observed.express.get(c.id))
      .map((c) => `${c.id}: fork "${observed.fork.get(c.id)}", express "${observed.express.get(c.id)}"`);
    expect(apart, apart.join('\n')).to.deep.equal([]);
  });

  it('nothing was written by any case', async () => {
    expect(await writeModel()).to.deep.equal(writtenBefore);
  });

  it('docs/HTTP-CONFORMANCE.md holds the table of what was observed', () => {
    const table = renderConformance(observed);
    const document = readFileSync(DOC, 'utf8');
    if (process.env.UPDATE_CONFORMANCE_DOC) writeFileSync(DOC, withTable(document, table));
    expect(tableSection(readFileSync(DOC, 'utf8')), 'run with UPDATE_CONFORMANCE_DOC=1 to write it').to.equal(table.trim());
  });
});
