import { expect } from 'chai';
import { renderReport } from '../../support/report.js';
import { READ_MODEL_TARGET, WRITE_FLOOR_TARGET, WRITE_GROWTH_TARGET, WRITE_PLATEAU_TARGET, writeConclusions } from '../../support/report.js';
import type { BenchResults, Cell, RuntimeName, WriteCommand } from '../../../bench/results.js';
import { sample } from '../../support/benchSample.js';

/** A write cell measured in turns: repeat i of every cell starts at minute i (so floors pair round by round). */
function writeCell(runtime: RuntimeName, command: WriteCommand, connections: number, rps: readonly number[], extra: Partial<Cell> = {}): Cell {
  const template = sample().cells[0]!;
  const runs = rps.map((r, i) => ({ ...template.runs[0]!, rps: r, errors: 0, non2xx: 0, timeouts: 0, startedAt: new Date(Date.UTC(2026, 0, 1, 0, i, extra.writeFloor ? 30 : 0)).toISOString() }));
  const sorted = [...rps].sort((a, b) => a - b);
  const writeFloor = extra.writeFloor ?? false;
  return {
    ...template, group: 'writes', runtime, entity: 'products', source: 'db', operation: command, connections, listQuery: '', readMode: 'default',
    id: `${writeFloor ? `floor:write[${runtime}]` : runtime}/products/${command}@c${connections}`, runs,
    summary: { ...template.summary, rps: { median: sorted[1]!, min: sorted[0]!, max: sorted[2]! }, p50: 4, p95: 9, p99: 12, errors: 0, non2xx: 0 },
    ...extra,
  };
}

/** The sample with uws's product creates at 1, 16 and 64 connections, the write floor beside them, and a mixed cell. */
function withWrites(uws: { c1: number; c16: number; c64: number; floor64: number }, checks: BenchResults['readModelChecks'] = []): BenchResults {
  const results = sample();
  const cells = [
    writeCell('uws', 'create', 1, [uws.c1 - 1, uws.c1, uws.c1 + 1]),
    writeCell('uws', 'create', 1, [400, 410, 420], { writeFloor: true }),
    writeCell('uws', 'create', 16, [uws.c16 - 10, uws.c16, uws.c16 + 10]),
    writeCell('uws', 'create', 16, [1500, 1600, 1700], { writeFloor: true }),
    writeCell('uws', 'create', 64, [uws.c64 - 10, uws.c64, uws.c64 + 10]),
    writeCell('uws', 'create', 64, [uws.floor64 - 10, uws.floor64, uws.floor64 + 10], { writeFloor: true }),
    { ...writeCell('uws', 'create', 50, [3000, 3100, 3200]), group: 'mixed' as const, operation: 'mixed' as const, source: 'redis' as const, id: 'uws/mixed@c50' },
  ];
  return { ...results, cells: [...results.cells, ...cells], readModelChecks: checks, restoredExitCode: 0 };
}

function statusOf(results: BenchResults, target: string): string[] {
  return writeConclusions(results).targets.filter((t) => t.target === target).map((t) => t.status);
}

describe('report: writes (bench/report/analysis/checks.ts, sections/writes.ts)', () => {
  const clean = [{ after: 'uws/products/create@c1', ids: 22_000, pages: 45, mismatches: 0, exitCode: 0 }];

  it('writes that grow with connections and reach the floor pass; the ratios are the measured ones', () => {
    const results = withWrites({ c1: 100, c16: 800, c64: 900, floor64: 1000 }, clean);
    const { targets } = writeConclusions(results);
    const growth = targets.find((t) => t.target === WRITE_GROWTH_TARGET.text)!;
    expect(growth).to.include({ status: 'pass', ratio: 8 });
    expect(targets.find((t) => t.target === WRITE_PLATEAU_TARGET.text)!.ratio).to.be.closeTo(900 / 800, 1e-9);
    const floor = targets.find((t) => t.target === WRITE_FLOOR_TARGET.text)!;
    expect(floor).to.include({ status: 'pass', ratio: 0.9 });
    expect(floor.scope).to.include('900 vs write floor 1,000 writes/s').and.include('rounds');
    expect(statusOf(results, READ_MODEL_TARGET.text)).to.deep.equal(['pass']);
  });

  it('writes that do not grow, that fall at 64 connections, or fall short of the floor fail', () => {
    const results = withWrites({ c1: 100, c16: 300, c64: 250, floor64: 1000 }, clean);
    expect(statusOf(results, WRITE_GROWTH_TARGET.text)).to.deep.equal(['fail']);
    // The floor's own growth from 1 to 16 connections (410 → 1,600) says what the machine allows.
    expect(writeConclusions(results).targets.find((t) => t.target === WRITE_GROWTH_TARGET.text)!.scope).to.include('the write floor grew 3.90× over the same step');
    expect(statusOf(results, WRITE_PLATEAU_TARGET.text)).to.deep.equal(['fail']);
    expect(writeConclusions(results).targets.find((t) => t.target === WRITE_FLOOR_TARGET.text)).to.include({ status: 'fail', ratio: 0.25 });
  });

  it('below the write floor, the profiles of the command and of the write floor say what the runtime adds, category by category', () => {
    const results = withWrites({ c1: 100, c16: 300, c64: 250, floor64: 1000 }, clean);
    const profile = (floor: boolean, categories: Record<string, number>) => ({
      id: floor ? 'floor:write[uws]/products/create@c64' : 'uws/products/create@c64', ...(floor && { floor: 'write' as const }),
      runtime: 'uws' as const, entity: 'products' as const, source: 'db' as const, operation: 'create' as const, workers: 2,
      requests: 1000, durationSec: 4, profiles: floor ? 1 : 3, categories: { idle: 500_000, ...categories },
    });
    // Per command: the runtime 900 µs (mysql 500, http 250, services 150), the floor 300 µs (mysql 200, http 100).
    const profiled = { ...results, profiles: [profile(false, { mysql: 500_000, http: 250_000, services: 150_000 }), profile(true, { mysql: 200_000, http: 100_000 })] };
    const floor = writeConclusions(profiled).targets.find((t) => t.target === WRITE_FLOOR_TARGET.text)!;
    expect(floor.status).to.equal('fail');
    expect(floor.scope).to.include('a command takes 900 µs of CPU against 300 on the write floor')
      .and.include('MySQL driver and knex (mysql2, knex) (+300 µs), HTTP layer (uWS, node:http, Express) (+150 µs), services and builders (rest of core/) (+150 µs)');
    expect(writeConclusions(results).targets.find((t) => t.target === WRITE_FLOOR_TARGET.text)!.scope, 'without profiles').to.not.include('profiled');
  });

  it('a read model that did not match after a write cell fails its target, naming the cell', () => {
    const results = withWrites({ c1: 100, c16: 800, c64: 900, floor64: 1000 }, [...clean, { after: 'uws/products/create@c16', ids: 22_100, pages: 45, mismatches: 7, exitCode: 1 }]);
    const check = writeConclusions(results).targets.find((t) => t.target === READ_MODEL_TARGET.text)!;
    expect(check).to.include({ status: 'fail', ratio: 0.5 });
    expect(check.scope).to.include('uws/products/create@c16 (7 mismatches)');
  });

  it('without write cells every write target says "not measured"', () => {
    const { targets, summary } = writeConclusions(sample());
    expect(targets.map((t) => t.status)).to.deep.equal(['not measured', 'not measured', 'not measured', 'not measured']);
    expect(summary).to.deep.equal(['Writes: not measured.']);
    expect(renderReport(sample(), { chartsDir: 'c' }).markdown).to.include('## Writes\n\nNot measured: the results have no write or mixed cells.');
  });

  it('renders the Writes section: a row per cell with its floor, the mixed table, a chart per command, the read model, the targets', () => {
    const results = withWrites({ c1: 100, c16: 800, c64: 900, floor64: 1000 }, clean);
    const { markdown, charts } = renderReport(results, { chartsDir: 'charts' });
    const writes = markdown.slice(markdown.indexOf('\n## Writes\n'), markdown.indexOf('\n## Targets\n'));
    expect(writes).to.include('| uws | products | create | 64 | 900 (890–910) | 4.00 | 9.00 | 12.00 | 0 |');
    expect(writes).to.include('| 1,000 (990–1,010) | 0.90× (0.90×–0.90×) |');
    expect(writes).to.include('| uws | 50 | 3,100 (3,000–3,200) | 310 (300–320) |');
    expect(writes).to.include('![Writes/s against connections: products create](charts/writes-products-create.svg)');
    expect(charts['writes-products-create.svg']).to.include('write floor (median)').and.include('>uws<');
    expect(writes).to.include('after each of 1 write and mixed cells: clean every time');
    expect(writes).to.include('The configured data set was restored after the write cells');
    const targets = markdown.slice(markdown.indexOf('\n## Targets\n'));
    expect(targets).to.include(`**${WRITE_FLOOR_TARGET.text}**`);
    expect(targets).to.match(/\| uws products create at 64 connections: 900 vs write floor 1,000 writes\/s \(rounds 0\.90×–0\.90×\) \| 0\.90× \| ≥ 0\.80× \| ✅ pass \|/);
    expect(markdown).to.include(`- Target "${WRITE_GROWTH_TARGET.text}": 1 of 1 checks pass.`);
  });

  it('shows a write cell\'s failures in its row', () => {
    const results = withWrites({ c1: 100, c16: 800, c64: 900, floor64: 1000 }, clean);
    const cells = results.cells.map((c) => (c.id === 'uws/products/create@c16' ? { ...c, summary: { ...c.summary, errors: 2, non2xx: 40 } } : c));
    const { markdown } = renderReport({ ...results, cells }, { chartsDir: 'charts' });
    expect(markdown).to.include('| uws | products | create | 16 | 800 (790–810) | 4.00 | 9.00 | 12.00 | ⚠ 2 + 40 |');
  });
});
