import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import { RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import {
  corpusProblems, expectationFor, isClosedWithoutStatus, loadCorpus, missingLimitAnchors, requestBytes,
  type Expectation, type HostileCase,
} from '../../support/hostileCorpus.js';
import { describeAnswer, sendRaw, type RawAnswer } from '../../support/rawHttp.js';
import { startRuntime } from '../../support/runtimes.js';

// The hostile-request corpus (hostile-requests.json, issue 9) against the three runtimes, each a real process on
// a real port, over raw TCP (fetch cannot send most of these). Every runtime × case checks the answer (status,
// JSON content type, error code, field, Allow) and that nothing was written: the row count and a checksum of the
// content of every table a command touches, and the outbox's last position, are the same before and after.

const corpus = loadCorpus();

/** How long a case waits for its answer: a stalled body is answered 408 after REQUEST_TIMEOUT_MS (1 s here). */
const ANSWER_WAIT_MS = 5_000;
/** A runtime documented as closing without a status line: nothing by then is as good as a close. */
const NO_STATUS_WAIT_MS = 2_000;
const REQUEST_TIMEOUT_MS = '1000';

/** What a stack trace or a server file path looks like in a body. */
const LEAK = /\n\s+at |\bat [\w.<>$]+ \(|\/work\/|\/home\/|node_modules|file:\/\/|\.(?:ts|js|cjs|mjs):\d+/;

/** Tables a command writes (the outbox and its sequence, the live counters included); identity and migrations are not. */
const WRITTEN_TABLES = [Tables.products, Tables.customers, Tables.orders, Tables.orderItems, Tables.events, Tables.eventSequence, Tables.aggregateCounts];

/**
 * One SELECT that fingerprints the write model: per table, its row count and a sum of CRC32 over every stored
 * column of every row (so an update or a soft delete that changes no count still shows), plus the soft-deleted
 * counts and the outbox's last position. Generated columns are left out (derived from the others). The seeded
 * data set is small, so this costs a few milliseconds.
 */
async function fingerprintQuery(knex: Knex): Promise<string> {
  const columns = (await knex('information_schema.columns')
    .select({ table: 'table_name', column: 'column_name' })
    .whereRaw('table_schema = DATABASE()')
    .whereIn('table_name', WRITTEN_TABLES)
    .whereNot('extra', 'like', '%GENERATED%')
    .orderBy(['table_name', 'ordinal_position'])) as Array<{ table: string; column: string }>;
  const parts = WRITTEN_TABLES.map((table) => {
    const values = columns.filter((c) => c.table === table).map((c) => `IFNULL(\`${c.column}\`, '∅')`);
    if (values.length === 0) throw new Error(`no columns found for ${table}`);
    return `(SELECT CONCAT(COUNT(*), ' rows, crc ', COALESCE(SUM(CRC32(CONCAT_WS('|', ${values.join(', ')}))), 0)) FROM \`${table}\`) AS \`${table}\``;
  });
  return `SELECT ${parts.join(',\n  ')},
  (SELECT COUNT(*) FROM ${Tables.products} WHERE deleted_at IS NOT NULL) AS products_deleted,
  (SELECT COUNT(*) FROM ${Tables.customers} WHERE deleted_at IS NOT NULL) AS customers_deleted,
  (SELECT COALESCE(MAX(position), 0) FROM ${Tables.events}) AS outbox_max_position`;
}

async function writeModelState(knex: Knex, query: string): Promise<Record<string, string>> {
  const [rows] = (await knex.raw(query)) as [Array<Record<string, unknown>>];
  const state: Record<string, string> = {};
  for (const [key, value] of Object.entries(rows[0]!)) state[key] = String(value);
  return state;
}

function differences(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before).filter((key) => before[key] !== after[key]).map((key) => `${key} ${before[key]} → ${after[key]}`);
}

function header(answer: RawAnswer, name: string): string | undefined {
  return answer.kind === 'response' ? answer.headers[name]?.join(', ') : undefined;
}

/** Every way `answer` departs from `expected` (empty when it is the contract's answer). */
function responseProblems(answer: RawAnswer, expected: Expectation): string[] {
  if (answer.kind !== 'response') return [`expected ${expected.status}, got ${describeAnswer(answer)}`];
  const problems: string[] = [];
  if (answer.status !== expected.status) problems.push(`status ${answer.status}, expected ${expected.status}`);
  const type = header(answer, 'content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) problems.push(`content type ${JSON.stringify(type)}, expected application/json`);
  if (answer.truncated) problems.push('the body did not arrive whole');
  if (LEAK.test(answer.text)) problems.push('the body shows a stack trace or a file path');
  let body: { code?: unknown; fields?: Array<{ field?: unknown }> } | undefined;
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    problems.push('the body is not JSON');
  }
  const codes = typeof expected.code === 'string' ? [expected.code] : expected.code;
  if (body && !codes.includes(body.code as string)) problems.push(`code ${JSON.stringify(body.code)}, expected ${codes.join(' or ')}`);
  if (body && expected.field !== undefined) {
    const fields = Array.isArray(body.fields) ? body.fields.map((f) => f.field) : [];
    if (!fields.includes(expected.field)) problems.push(`fields ${JSON.stringify(fields)} do not name ${JSON.stringify(expected.field)}`);
  }
  if (expected.allow) {
    const allow = (header(answer, 'allow') ?? '').split(',').map((m) => m.trim().toUpperCase());
    const missing = expected.allow.filter((m) => !allow.includes(m));
    if (missing.length > 0) problems.push(`Allow ${JSON.stringify(header(answer, 'allow') ?? null)} lacks ${missing.join(', ')}`);
  }
  return problems;
}

describe('hostile requests: the corpus file', () => {
  it('holds at least 150 cases, each named once, with a class, an error status and code, and a request that can be written', () => {
    expect(corpus.cases.length).to.be.at.least(150);
    expect(corpusProblems(corpus)).to.deep.equal([]);
    const writes = corpus.cases.filter((c) => /^(POST|PUT|PATCH|DELETE)\b/i.test(typeof c.request === 'string' ? c.request : c.request.method));
    expect(writes.length, 'writes (POST, PUT, PATCH, DELETE) among the cases').to.be.at.least(corpus.cases.length / 2);
  });

  it('classes hold several cases each (the class is covered, not one sample)', () => {
    const perClass = new Map<string, number>();
    for (const c of corpus.cases) perClass.set(c.class, (perClass.get(c.class) ?? 0) + 1);
    const thin = [...perClass].filter(([, n]) => n < 3).map(([name, n]) => `${name}: ${n}`);
    expect(thin).to.deep.equal([]);
  });

  it('a runtime that closes without a status line does so only where the docs document the library limit', () => {
    expect(missingLimitAnchors(corpus)).to.deep.equal([]);
  });

  it('writes each request as the bytes the file describes', () => {
    const [productRequest] = corpus.cases.filter((c) => c.name === 'path-case-slash: POST product with a trailing slash');
    const body = '{"name":"Hostile product","price":"9.99"}';
    expect(requestBytes(productRequest!.request).toString('latin1')).to.equal(
      `POST /en/products/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const chunked = requestBytes({ method: 'POST', target: '/x', body: 'abcde', chunked: 2 }).toString('latin1');
    expect(chunked).to.equal('POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n1\r\ne\r\n0\r\n\r\n');
    expect(requestBytes('GET /\u00ff HTTP/1.1\r\n\r\n')[5]).to.equal(0xff);
  });
});

describe('hostile requests: every runtime answers every case as the contract says, and writes nothing', function () {
  this.timeout(60_000);
  let app: Application;
  let fingerprint: string;
  const runtimes = new Map<RuntimeName, LaunchedRuntime>();

  before(async function () {
    this.timeout(120_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    fingerprint = await fingerprintQuery(app.knex);
    for (const name of RUNTIME_NAMES) runtimes.set(name, await startRuntime(name, { REQUEST_TIMEOUT_MS }));
  });
  after(async () => {
    await Promise.all([...runtimes.values()].map((r) => r.stop()));
    await app?.close();
  });

  async function check(runtime: RuntimeName, hostile: HostileCase): Promise<void> {
    const expected = expectationFor(hostile, runtime);
    const port = Number(new URL(runtimes.get(runtime)!.url).port);
    const before = await writeModelState(app.knex, fingerprint);
    const answer = await sendRaw(port, requestBytes(hostile.request), { timeoutMs: isClosedWithoutStatus(expected) ? NO_STATUS_WAIT_MS : ANSWER_WAIT_MS });
    const problems = isClosedWithoutStatus(expected)
      ? answer.kind === 'response' ? [`documented as closing without a status line (${expected.limit}), but answered ${describeAnswer(answer)}`] : []
      : responseProblems(answer, expected);
    const written = differences(before, await writeModelState(app.knex, fingerprint));
    if (written.length > 0) problems.push(`WROTE: ${written.join('; ')}`);
    expect(problems.length, `${runtime} ${hostile.name} → ${describeAnswer(answer)}\n      ${problems.join('\n      ')}\n     `).to.equal(0);
  }

  it('the nothing-written check sees a create, an update that changes no count, and a soft delete', async () => {
    const port = Number(new URL(runtimes.get('fork')!.url).port);
    const write = async (request: Parameters<typeof requestBytes>[0], status: number) => {
      const before = await writeModelState(app.knex, fingerprint);
      const answer = await sendRaw(port, requestBytes(request));
      expect(answer.kind === 'response' && answer.status, describeAnswer(answer)).to.equal(status);
      return differences(before, await writeModelState(app.knex, fingerprint));
    };
    const created = await write({ method: 'POST', target: '/en/products', json: { name: 'Seen', price: '1.00' } }, 201);
    expect(created.some((d) => d.startsWith('products ')), created.join('; ')).to.equal(true);
    expect(created.some((d) => d.startsWith('outbox_max_position ')), created.join('; ')).to.equal(true);
    const updated = await write({ method: 'PUT', target: '/en/products/30', json: { description: 'changed in place' } }, 200);
    expect(updated.some((d) => /^products (\d+) rows, crc \d+ → \1 rows, crc \d+$/.test(d)), updated.join('; ')).to.equal(true);
    const deleted = await write({ method: 'DELETE', target: '/en/customers/10' }, 200);
    expect(deleted).to.include.members(['customers_deleted 0 → 1']);
  });

  for (const runtime of RUNTIME_NAMES) {
    describe(runtime, () => {
      for (const hostile of corpus.cases) {
        it(`${runtime}: ${hostile.name}`, () => check(runtime, hostile));
      }
    });
  }
});
