import { expect } from 'chai';
import {
  deriveConclusions, knobCheck, knobFindings, knobSentences, KNOB_TARGET, tailChecks, profileFindings, TAIL_TARGET,
} from '../../support/report.js';
import { renderReport } from '../../support/report.js';
import type { BenchResults, Cell, CellProfile, DataPathKnob } from '../../../bench/results.js';
import { cellOf, sample } from '../../support/benchSample.js';

// The data-path knobs and the tail target rendered from the recorded sample results, with knob cells forged
// beside its cells at chosen rates (the sample's own uws products get is driver-bound: the load generator at 93%).

function knobCell(base: Cell, knob: DataPathKnob, rps: number, driverCpuPct = 40): Cell {
  return {
    ...base, id: `${base.id}[${knob}]`, group: 'knobs', knob,
    summary: { ...base.summary, rps: { median: rps, min: rps, max: rps }, driverCpuPct, p99: base.summary.p50 * 2 },
  };
}

/** Knob cells for uws and express, products get and list: rates per setting [baseline, auto-pipelining, json-encoding, both?]. */
function forged(rates: Record<string, readonly [number, number, number, number?]>, settings: Partial<BenchResults['settings']> = {}): BenchResults {
  const results = sample();
  const cells = Object.entries(rates).flatMap(([id, [baseline, pipelined, json, both]]) => {
    const base = cellOf(results, id);
    return [knobCell(base, 'baseline', baseline), knobCell(base, 'auto-pipelining', pipelined), knobCell(base, 'json-encoding', json),
      ...(both === undefined ? [] : [knobCell(base, 'both', both)])];
  });
  return { ...results, settings: { ...results.settings, ...settings }, cells: [...results.cells, ...cells] };
}

const DATA_PATH_ORDER: readonly DataPathKnob[] = ['baseline', 'auto-pipelining', 'json-encoding'];

const RATES = {
  'uws/products/redis/get': [20_000, 18_000, 25_000],
  'uws/products/redis/list': [5_000, 4_500, 8_000],
  'express/products/redis/get': [8_000, 8_400, 9_000],
  'express/products/redis/list': [3_000, 2_900, 4_000],
} as const;

describe("bench: the data path's knobs in the report", () => {
  it('compares each setting with the baseline of the same runtime and operation', () => {
    const findings = knobFindings(forged(RATES));
    expect(findings.map((f) => `${f.runtime} ${f.operation}`)).to.deep.equal(['uws get', 'uws list', 'express get', 'express list']);
    const uwsList = findings[1]!;
    expect(uwsList.baseline.summary.rps.median).to.equal(5_000);
    expect(uwsList.knobs.map((k) => [k.knob, k.ratio])).to.deep.equal([['auto-pipelining', 0.9], ['json-encoding', 1.6]]);
  });

  it('says auto-pipelining loses when its median ratio is below 1, and flags a default that disagrees with the numbers', () => {
    const findings = knobFindings(forged(RATES));
    const off = knobSentences(findings, { ...sample().settings, redisAutoPipelining: false }).join('\n');
    expect(off).to.match(/Auto-pipelining: median 0\.9\d× the baseline's rate over 4 cells \(1 faster\), p99 at worst 1\.00× the baseline's \(uws products get by id\), so it does not win; REDIS_AUTO_PIPELINING is off by default in this run\./);
    const on = knobSentences(findings, { ...sample().settings, redisAutoPipelining: true }).join('\n');
    expect(on).to.include('on although it loses: the default no longer matches the numbers');
    const winning = knobFindings(forged({ ...RATES, 'uws/products/redis/get': [20_000, 26_000, 25_000], 'uws/products/redis/list': [5_000, 5_500, 8_000] }));
    expect(knobSentences(winning, { ...sample().settings, redisAutoPipelining: true }).join('\n')).to.match(/so it wins; REDIS_AUTO_PIPELINING is on by default in this run\./);
    // Faster, but with a p99 2.5× the baseline's on one cell (flat on the three others): a default must not buy
    // throughput with the tail, and a tail doubled on one cell is not averaged away by the others.
    const tailWorse = winning.map((f) => ({ ...f, knobs: f.knobs.map((k) => (k.knob === 'auto-pipelining' && f.runtime === 'uws' && f.operation === 'get' ? { ...k, p99Ratio: 2.5 } : k)) }));
    expect(knobSentences(tailWorse, { ...sample().settings, redisAutoPipelining: false }).join('\n'))
      .to.include("p99 at worst 2.50× the baseline's (uws products get by id), so it does not win (its p99 is above 1.20× the baseline's there); REDIS_AUTO_PIPELINING is off by default in this run.");
  });

  it('says whether the two knobs add up: both together against the better of the two alone on the same cell', () => {
    const adding = knobSentences(knobFindings(forged({ 'uws/products/redis/get': [20_000, 22_000, 24_000, 30_000], 'uws/products/redis/list': [5_000, 5_000, 8_000, 9_200] })), sample().settings).join('\n');
    // get: 1.50× the baseline, 1.25× the better alone (JSON); list: 1.84×, 1.15×.
    expect(adding).to.include('Both together: 1.67× the baseline (median of 2 cells), best 1.84× on uws products page of 50; 1.20× the better of the two alone (median): they add up; p99 1.00× the baseline\'s (median).');
    const not = knobSentences(knobFindings(forged({ 'uws/products/redis/get': [20_000, 22_000, 24_000, 21_600] })), sample().settings).join('\n');
    expect(not).to.include('0.90× the better of the two alone (median): they do not add up');
    // 1.02× the better alone: within noise, not adding up.
    const even = knobSentences(knobFindings(forged({ 'uws/products/redis/get': [20_000, 22_000, 25_000, 25_500] })), sample().settings).join('\n');
    expect(even).to.include('1.02× the better of the two alone (median): they do not add up');
    const check = knobCheck(forged({ ...RATES, 'uws/products/redis/get': [20_000, 22_000, 23_000, 26_000] }), knobFindings(forged({ ...RATES, 'uws/products/redis/get': [20_000, 22_000, 23_000, 26_000] })));
    expect([check.status, check.ratio]).to.deep.equal(['pass', 1.3]);
    expect(check.scope).to.include('both together 26,000 vs baseline 20,000');
  });

  it('keeps msgpack unless JSON wins by more than 1.3×, and gives the reason when it does', () => {
    const beyond = knobSentences(knobFindings(forged(RATES)), sample().settings).join('\n');
    expect(beyond).to.include('above 1.30× on uws products page of 50, express products page of 50');
    expect(beyond).to.include('msgpack is kept as the default. What JSON saves is the decode and the JSON.stringify of the request path (median gain in this run:');
    const within = knobSentences(knobFindings(forged({ 'uws/products/redis/get': [20_000, 20_000, 25_000], 'uws/products/redis/list': [5_000, 5_000, 6_400] })), sample().settings).join('\n');
    expect(within).to.include('nowhere above 1.30×, so msgpack stays the default stored format.');
    expect(within).to.not.include('msgpack is kept as the default.');
  });

  it("checks uws get's best knob against the baseline: pass at ≥ 1.2×, fail below, inconclusive when a cell is driver-bound", () => {
    const passing = forged(RATES);
    const pass = knobCheck(passing, knobFindings(passing));
    expect([pass.target, pass.status, pass.ratio]).to.deep.equal([KNOB_TARGET.text, 'pass', 1.25]);
    expect(pass.scope).to.include('PROJECTION_ENCODING=json');
    const failing = forged({ ...RATES, 'uws/products/redis/get': [20_000, 18_000, 23_000] });
    expect(knobCheck(failing, knobFindings(failing)).status).to.equal('fail');
    const bound = forged(RATES);
    const cells = bound.cells.map((c) => (c.id === 'uws/products/redis/get[json-encoding]' ? { ...c, summary: { ...c.summary, driverCpuPct: 95 } } : c));
    const inconclusive = knobCheck({ ...bound, cells }, knobFindings({ ...bound, cells }));
    expect(inconclusive.status).to.equal('inconclusive');
    expect(knobCheck(sample(), knobFindings(sample())).status).to.equal('not measured');
  });

  it("explains a failing knob target by what each knob acts on in the uws get's profile", () => {
    const failing = forged({ ...RATES, 'uws/products/redis/get': [20_000, 21_000, 22_000] });
    const profile: CellProfile = {
      id: 'uws/products/redis/get', runtime: 'uws', entity: 'products', source: 'redis', operation: 'get', workers: 2, requests: 1000, durationSec: 4, profiles: 3,
      categories: { http: 16_000, redis: 25_000, msgpack: 2_000, json: 1_000, pipeline: 2_000, idle: 40_000 },
    };
    const checked = knobCheck(failing, knobFindings(failing), profileFindings({ ...failing, profiles: [profile] }));
    expect(checked.status).to.equal('fail');
    expect(checked.scope).to.include('; profiled, a uws get spends 46 µs per request: msgpack decoding (msgpackr) and JSON serialisation (JSON.stringify/parse) 3.0 µs (7%, ' +
      'what JSON encoding removes), Redis driver (ioredis) 25.0 µs (54%, what auto-pipelining batches into fewer writes and reads); the largest part is Redis driver (ioredis)');
    // A passing check, or no profile: nothing added.
    expect(knobCheck(forged(RATES), knobFindings(forged(RATES)), profileFindings({ ...failing, profiles: [profile] })).scope).to.not.include('profiled');
    expect(knobCheck(failing, knobFindings(failing)).scope).to.not.include('profiled');
  });

  it('renders the table, the chart and the sentences under the slow-Redis finding', () => {
    const { markdown, charts } = renderReport(forged(RATES), { chartsDir: 'charts', resultsFile: 'sample.json' });
    const start = markdown.indexOf("### The data path's own knobs");
    expect(start).to.be.greaterThan(markdown.indexOf('## The slow-Redis finding'));
    const section = markdown.slice(start, markdown.indexOf('\n## ', start));
    expect(section).to.include('| uws products page of 50 from redis | 5,000 | 4,500 (0.90×) | 8,000 (1.60×) |');
    expect(section).to.include('![The data path\'s knobs](charts/data-path-knobs.svg)');
    expect(charts['data-path-knobs.svg']).to.include('PROJECTION_ENCODING=json');
    expect(markdown).to.include(`**${KNOB_TARGET.text}**`);
  });

  it('gives each setting against the baseline per round when the settings took turns, and not otherwise', () => {
    const results = forged(RATES);
    const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 21, 0, s)).toISOString();
    const turn = (c: Cell) => DATA_PATH_ORDER.indexOf(c.knob!);
    // Two rounds: the baseline steady, the other settings 0.9× then 1.1× their median, each repeat 5 s after the previous setting's.
    const cells = results.cells.map((c) => (c.id.startsWith('uws/products/redis/list[') ? {
      ...c, runs: [0, 1].map((round) => ({ ...c.runs[0]!, rps: c.summary.rps.median * (c.knob === 'baseline' ? 1 : round ? 1.1 : 0.9), startedAt: at(round * 30 + turn(c) * 5) })),
    } : c));
    const section = (r: BenchResults) => {
      const { markdown } = renderReport(r, { chartsDir: 'charts', resultsFile: 'sample.json' });
      const start = markdown.indexOf("### The data path's own knobs");
      return markdown.slice(start, markdown.indexOf('\n## ', start));
    };
    expect(section({ ...results, cells })).to.include('| uws products page of 50 from redis | 5,000 | 4,500 (0.90×; per round 0.81×–0.99×) | 8,000 (1.60×; per round 1.44×–1.76×) |');
    // The same repeats one setting after the other: no pairs.
    const sequential = cells.map((c) => (c.id.startsWith('uws/products/redis/list[') ? { ...c, runs: c.runs.map((r, i) => ({ ...r, startedAt: at(turn(c) * 30 + i * 5) })) } : c));
    expect(section({ ...results, cells: sequential })).to.include('| uws products page of 50 from redis | 5,000 | 4,500 (0.90×) | 8,000 (1.60×) |');
    expect(section({ ...results, cells })).to.include('the settings taking turns repeat by repeat');
    expect(section({ ...results, cells: sequential })).to.not.include('taking turns');
  });

  it('without knob cells, says they were not measured', () => {
    const { markdown } = renderReport(sample(), { chartsDir: 'charts', resultsFile: 'sample.json' });
    expect(markdown).to.include('Not measured: the results have no knob cells');
    expect(deriveConclusions(sample()).summary).to.include("The data path's knobs (auto-pipelining, JSON encoding): not measured.");
  });
});

describe('bench: the tail target (p99 ≤ 3× p50)', () => {
  const GC_PROFILE: CellProfile = {
    id: 'express/products/redis/get', runtime: 'express', entity: 'products', source: 'redis', operation: 'get', workers: 1,
    requests: 1000, durationSec: 4, profiles: 1, categories: { http: 300_000, gc: 100_000, idle: 10_000 },
  };

  it('fails a uws or express matrix cell whose p99 is above 3× its p50, and names its GC share from the profile', () => {
    const results = sample();
    const cells = results.cells.map((c) => (c.id === 'express/products/redis/get' ? { ...c, summary: { ...c.summary, p50: 2, p99: 9 } } : c));
    const forgedResults = { ...results, cells, profiles: [GC_PROFILE] };
    const checks = tailChecks(forgedResults, profileFindings(forgedResults));
    expect(checks.every((t) => t.target === TAIL_TARGET.text)).to.equal(true);
    expect(checks.map((t) => t.scope.split(':')[0])).to.not.include('fork/products/redis/get');
    const express = checks.find((t) => t.scope.startsWith('express/products/redis/get:'))!;
    expect(express.status).to.equal('fail');
    expect(express.scope).to.include('4.50× p50').and.include('garbage collection 25% of').and.include('a likely part of this tail');
    const lowGc = { ...forgedResults, profiles: [{ ...GC_PROFILE, categories: { http: 390_000, gc: 10_000 } }] };
    expect(tailChecks(lowGc, profileFindings(lowGc)).find((t) => t.scope.startsWith('express/products/redis/get:'))!.scope)
      .to.include('garbage collection 3% of').and.include('too little to make this tail');
    const within = tailChecks({ ...results, cells: cells.map((c) => (c.id === 'express/products/redis/get' ? { ...c, summary: { ...c.summary, p99: 5.9 } } : c)) }, []);
    expect(within.find((t) => t.scope.startsWith('express/products/redis/get:'))!.status).to.equal('pass');
  });
});
