import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Application } from '../../../core/app.js';
import type { BenchResults } from '../../../bench/results.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';

const RUN_SCRIPT = fileURLToPath(new URL('../../../cli/bench.js', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN_SCRIPT, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/**
 * The bench run by a suite, once, on the small seeded data set: `args` with `--out` and `--report` into a fresh
 * folder. Read `out` and `run` in the tests.
 */
function benchOnce(folder: string, args: string[]): { out: string; run: { code: number | null; output: string } } {
  const state = { out: '', run: { code: null as number | null, output: '' } };
  let app: Application;
  before(async function () {
    this.timeout(180_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    state.out = mkdtempSync(join(tmpdir(), folder));
    state.run = await runBench([...args, '--out', state.out, '--report', join(state.out, 'RESULTS.md')]);
  });
  after(async () => {
    await app?.close();
  });
  return state;
}

// The quick bench, end to end: real runtimes, real load, one cell per runtime, a results file and a report.
describe('make bench-quick, end to end (one cell per runtime)', function () {
  this.timeout(180_000);
  const bench = benchOnce('cqrs-bench-', ['--quick', '--only', 'products/redis/get']);

  it('exits 0 after checking every endpoint', () => {
    expect(bench.run.code, bench.run.output).to.equal(0);
    expect(bench.run.output).to.match(/preflight checked \d+ endpoints: all 200, right shape, identical across runtimes and sources/);
  });

  it('writes a results file with non-zero throughput and zero errors for each runtime', () => {
    const file = readdirSync(bench.out).find((f) => f === 'quick.json');
    expect(file, readdirSync(bench.out).join(', ')).to.be.a('string');
    const results = JSON.parse(readFileSync(join(bench.out, file!), 'utf8')) as BenchResults;
    expect(results.mode).to.equal('quick');
    expect(results.cells.map((c) => c.id).sort()).to.deep.equal(['express/products/redis/get', 'fork/products/redis/get', 'uws/products/redis/get']);
    for (const cell of results.cells) {
      expect(cell.summary.rps.median, cell.id).to.be.greaterThan(0);
      expect(cell.summary.errors, cell.id).to.equal(0);
      expect(cell.summary.non2xx, cell.id).to.equal(0);
      expect(cell.runs[0]!.requests, cell.id).to.be.greaterThan(0);
      expect(cell.summary.serverCpuPct, `${cell.id} server CPU`).to.be.greaterThan(0);
      expect(cell.summary.serverPeakRssMiB, `${cell.id} server memory`).to.be.greaterThan(10);
      expect(cell.summary.driverCpuPct, `${cell.id} load generator CPU`).to.be.greaterThan(0);
    }
    expect(results.data.products).to.equal(30);
    expect(results.preflight.problems).to.deep.equal([]);
  });

  it("measures the load generator's ceiling first, says it, and records it with the results", () => {
    const ceiling = /bench: load generator (\S+) \S+: ceiling (\d+) req\/s against the bare uWS constant/.exec(bench.run.output);
    expect(ceiling, bench.run.output).to.not.equal(null);
    // Printed before the first cell is measured.
    expect(bench.run.output.indexOf(ceiling![0])).to.be.lessThan(bench.run.output.indexOf('products/redis/get '));
    const results = JSON.parse(readFileSync(join(bench.out, 'quick.json'), 'utf8')) as BenchResults;
    expect(results.driver.name).to.equal(ceiling![1]);
    expect(Math.round(results.baselines!.uwsConstant!.summary.rps.median)).to.equal(Number(ceiling![2]));
    expect(results.baselines!.uwsConstant!.summary.driverCpuPct).to.be.greaterThan(0);
    expect(readFileSync(join(bench.out, 'quick.DETAILS.md'), 'utf8')).to.match(/Load generator's ceiling\*\*: [\d,]+ req\/s/);
  });

  it('renders the report with its charts', () => {
    const report = readFileSync(join(bench.out, 'RESULTS.md'), 'utf8');
    expect(report).to.include('uws');
    const charts = [...report.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) => m[1]!);
    expect(charts.length).to.be.greaterThan(0);
    for (const chart of charts) expect(existsSync(join(bench.out, chart)), chart).to.equal(true);
    // Every table in the details beside the results, every figure in the findings.
    expect(report).to.include('](quick.DETAILS.md)').and.include('## Targets');
    expect(readFileSync(join(bench.out, 'quick.DETAILS.md'), 'utf8')).to.include('## Throughput and latency');
    expect(JSON.parse(readFileSync(join(bench.out, 'quick.findings.json'), 'utf8')).outcomes.length).to.be.greaterThan(0);
  });
});

// A runtime and its floor take turns, repeat by repeat, on servers running side by side (bench/turns.ts).
describe('make bench with floors: a runtime and its floor measured in turns', function () {
  this.timeout(180_000);
  const bench = benchOnce('cqrs-bench-turns-', ['--quick', '--runtimes', 'uws', '--floors', '--only', 'products/redis/get', '--repeats', '2', '--duration', '1']);

  it("alternates the runtime's repeats with its floor's: runtime, floor, runtime, floor", () => {
    expect(bench.run.code, bench.run.output).to.equal(0);
    const results = JSON.parse(readFileSync(join(bench.out, 'quick.json'), 'utf8')) as BenchResults;
    const runtime = results.cells.find((c) => c.id === 'uws/products/redis/get');
    const floor = results.cells.find((c) => c.id === 'floor:uws/products/redis/get');
    expect(runtime && floor, results.cells.map((c) => c.id).join(', ')).to.not.equal(undefined);
    expect(runtime!.runs).to.have.length(2);
    expect(floor!.runs).to.have.length(2);
    const starts = [runtime!.runs[0], floor!.runs[0], runtime!.runs[1], floor!.runs[1]].map((r) => Date.parse(r!.startedAt!));
    expect(starts.every((t) => Number.isFinite(t)), JSON.stringify(starts)).to.equal(true);
    expect([...starts].sort((a, b) => a - b)).to.deep.equal(starts);
    for (const cell of [runtime!, floor!]) expect(cell.summary.errors + cell.summary.non2xx, cell.id).to.equal(0);
  });

  it('reports runtime ÷ floor round by round beside the ratio of the medians', () => {
    const report = readFileSync(join(bench.out, 'quick.DETAILS.md'), 'utf8');
    expect(report).to.include('measured in turns, repeat by repeat');
    const row = report.split('\n').find((line) => line.startsWith('| raw uWS | products/redis/get |'));
    expect(row, report).to.not.equal(undefined);
    expect(row!.split('|').map((c) => c.trim())[8]).to.match(/^\d+(\.\d+)?×–\d+(\.\d+)?×$|^\d+(\.\d+)?×$/);
  });
});
