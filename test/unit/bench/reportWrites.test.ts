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
    expect(statusOf(results, WRITE_PLATEAU_TARGET.text)).to.deep.equal(['fail']);
    expect(writeConclusions(results).targets.find((t) => t.target === WRITE_FLOOR_TARGET.text)).to.include({ status: 'fail', ratio: 0.25 });
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
