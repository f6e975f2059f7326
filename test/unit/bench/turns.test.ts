import { expect } from 'chai';
import { planCells, planScaleCells } from '../../../bench/plan.js';
import { roundRatios } from '../../support/report.js';
import type { Cell, Run } from '../../../bench/results.js';
import { loadScenarios } from '../../../bench/scenarios.js';
import { planTurns, type Family } from '../../../bench/turns.js';

// The order the bench times its cells in: a runtime beside its floors, the settings of a knob beside each other,
// repeat by repeat (bench/turns.ts).
describe('bench turns: compared cells measured in turns', () => {
  const scenarios = loadScenarios();
  const all = planCells(scenarios, { runtimes: ['uws', 'express', 'fork'], forkWorkers: 4, uwsWorkers: 2, sweep: true, reads: true, persistent: true, floors: true, knobs: true });
  const families = planTurns(all, 'bench:');
  const family = (name: string): Family => {
    const found = families.find((f) => f.name === name);
    expect(found, `${name} in ${families.map((f) => f.name).join(', ')}`).to.not.equal(undefined);
    return found!;
  };
  const ids = (f: Family) => f.turns.map((t) => t.cell.id);

  it('times every planned cell exactly once, each with the start of its own environment', () => {
    const turned = families.flatMap(ids);
    expect([...turned].sort()).to.deep.equal(all.map((c) => c.id).sort());
    for (const f of families) for (const { start, cell } of f.turns) expect(start.cells, cell.id).to.include(cell);
  });

  it("puts each runtime's matrix with its floors, and every floor cell right after the runtime cell it is the floor of", () => {
    const uws = family('uws');
    expect(uws.starts.map((s) => s.key.split(' ')[0])).to.deep.equal(['uws', 'floor:uws']);
    expect(ids(uws).slice(0, 4)).to.deep.equal(['uws/products/db/get', 'floor:uws/products/db/get', 'uws/products/db/list', 'floor:uws/products/db/list']);
    expect(ids(uws)).to.have.length(24);
    const express = family('express');
    expect(express.starts.map((s) => s.key.split(' ')[0])).to.deep.equal(['express', 'floor:node-http', 'floor:express']);
    expect(ids(express).slice(0, 3)).to.deep.equal(['express/products/db/get', 'floor:node-http/products/db/get', 'floor:express/products/db/get']);
  });

  it("measures the FPM-like floor beside fork's persistent cells, and fork's per-request matrix on its own", () => {
    expect(ids(family('fork')).every((id) => id.startsWith('fork/') && !id.includes('+persistent'))).to.equal(true);
    const persistent = family('fork+persistent');
    expect(ids(persistent).slice(0, 2)).to.deep.equal(['fork/products/db/get+persistent', 'floor:fpm/products/db/get']);
    // Without persistent cells, the floor goes with the matrix.
    const noPersistent = planTurns(all.filter((c) => c.group !== 'persistent'), 'bench:');
    const fork = noPersistent.find((f) => f.name === 'fork')!;
    expect(fork.turns.map((t) => t.cell.id).slice(0, 2)).to.deep.equal(['fork/products/db/get', 'floor:fpm/products/db/get']);
  });

  it("alternates a knob's settings on the same read, each on a start of its own", () => {
    const knobs = family('knobs:uws');
    expect(knobs.starts).to.have.length(4);
    expect(ids(knobs)).to.deep.equal(['get', 'list'].flatMap((op) => ['baseline', 'auto-pipelining', 'json-encoding', 'both'].map((k) => `uws/products/redis/${op}[${k}]`)));
  });

  it('leaves what is not compared across starts alone: each sweep point and read mode is a family of one start', () => {
    const sweep = all.filter((c) => c.group === 'sweep');
    for (const cell of sweep) {
      const mine = families.filter((f) => f.turns.some((t) => t.cell.id === cell.id));
      expect(mine, cell.id).to.have.length(1);
      expect(mine[0]!.starts, cell.id).to.have.length(1);
    }
    // The scale step's cells share one start (one DB_MAX_OFFSET): its pages take turns too.
    const scale = planTurns(planScaleCells(scenarios, 'uws', 2, 1000, { ids: Array.from({ length: 1000 }, (_, i) => i + 1), dbMaxOffset: 500 }), 'bench:');
    expect(scale).to.have.length(1);
    expect(scale[0]!.starts).to.have.length(1);
  });
});

describe('bench turns: paired ratios in the report', () => {
  const run = (rps: number, startedAt?: string): Run => ({
    rps, requests: rps, errors: 0, non2xx: 0, timeouts: 0, durationSec: 1, serverCpuPct: 100, serverPeakRssMiB: 50, driverCpuPct: 50,
    latency: { p50: 1, p95: 2, p99: 3, max: 4, mean: 1 }, ...(startedAt && { startedAt }),
  });
  const cell = (runs: Run[]): Cell => ({ id: 'x', group: 'matrix', runtime: 'uws', entity: 'products', source: 'redis', operation: 'get', workers: 2, readMode: 'default', listQuery: '', runs } as unknown as Cell);
  const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 21, 0, s)).toISOString();

  it('divides repeat by repeat when the two cells took turns', () => {
    const runtime = cell([run(900, at(0)), run(1000, at(10)), run(1100, at(20))]);
    const floor = cell([run(1000, at(5)), run(1000, at(15)), run(1000, at(25))]);
    expect(roundRatios(runtime, floor)).to.deep.equal([0.9, 1, 1.1]);
  });

  it('gives nothing when the repeats were not paired: one cell after the other, no start times, or unequal counts', () => {
    const after = cell([run(900, at(0)), run(1000, at(5)), run(1100, at(10))]);
    const later = cell([run(1000, at(100)), run(1000, at(105)), run(1000, at(110))]);
    expect(roundRatios(after, later)).to.equal(null);
    expect(roundRatios(cell([run(900), run(1000)]), cell([run(1000), run(1000)]))).to.equal(null);
    expect(roundRatios(cell([run(900, at(0))]), cell([run(1000, at(5)), run(1000, at(15))]))).to.equal(null);
    expect(roundRatios(undefined, later)).to.equal(null);
  });
});
