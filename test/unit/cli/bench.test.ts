import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptions } from '../../../cli/bench.js';
import { ConfigError } from '../../../core/config.js';
import { renderReport } from '../../../bench/report/render.js';
import { sample, SAMPLE_PATH } from '../../support/benchSample.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
}

describe('the bench as a library, its entry points in cli/', () => {
  it('no bench module imports from cli/', () => {
    const offenders = sources('bench').filter((file) => /from '(\.\.\/)+cli\//.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).to.deep.equal([]);
  });

  it('importing bench/run.js and bench/loadtest.js does nothing: no argument parsing, no folder made, no exit', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cqrs-bench-import-'));
    try {
      const modules = ['bench/run.js', 'bench/loadtest.js'].map((m) => new URL(`../../../${m}`, import.meta.url).href);
      const script = `for (const m of ${JSON.stringify(modules)}) await import(m); console.log('imported');`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', '--no-such-flag'], { cwd, encoding: 'utf8' });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout.trim()).to.equal('imported');
      expect(readdirSync(cwd)).to.deep.equal([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('cli/bench.ts turns flags into options, and records the command it was given', () => {
    const options = benchOptions(['--quick', '--runtimes', 'uws,fork', '--only', 'products/redis/get', '--duration', '6'], {});
    expect(options).to.deep.include({ quick: true, runtimes: ['uws', 'fork'], only: 'products/redis/get', durationSec: 6, out: 'bench/results', scale: false });
    expect(options.command).to.equal('node dist/cli/bench.js --quick --runtimes uws,fork --only products/redis/get --duration 6');
    expect(benchOptions(['--quick'], { BENCH_COMMAND: 'make bench-quick' }).command).to.equal('make bench-quick');
    expect(benchOptions(['--knobs', '--profiles-only', '--into', 'bench/results/full.json'], {})).to.deep.include({ knobs: true, profilesOnly: true, into: 'bench/results/full.json' });
    expect(benchOptions(['--repeats', '5'], {}).repeats).to.equal(5);
    expect(benchOptions([], {}).repeats).to.equal(undefined);
  });

  it('cli/bench.ts refuses an unknown runtime or a duration that is not whole seconds', () => {
    expect(() => benchOptions(['--runtimes', 'uws,php'], {})).to.throw(ConfigError, /--runtimes: unknown runtime php/);
    expect(() => benchOptions(['--duration', '1.5'], {})).to.throw(ConfigError, /--duration: not a whole number of seconds: 1.5/);
    for (const bad of ['0', '-2', '2.5', 'three']) expect(() => benchOptions([`--repeats=${bad}`], {}), bad).to.throw(ConfigError, new RegExp(`--repeats: not a whole number of repeats above 0: ${bad}`));
  });

  it('the Makefile runs the bench and the load tests from cli/', () => {
    const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
    expect(makefile).to.contain('$(NODE) dist/cli/bench.js --quick').and.contain('$(NODE) dist/cli/loadtest.js');
    expect(makefile).to.not.match(/dist\/bench\/(run|loadtest)\.js/);
    expect(existsSync(join(ROOT, 'dist/cli/bench.js')) && existsSync(join(ROOT, 'dist/cli/loadtest.js'))).to.equal(true);
  });

  it('cli/report.ts renders the report again from a results file, measuring nothing; a missing file is one clear line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cqrs-report-'));
    try {
      const results = join(dir, 'full.json');
      copyFileSync(SAMPLE_PATH, results);
      const report = join(dir, 'RESULTS.md');
      const run = spawnSync(process.execPath, [join(ROOT, 'dist/cli/report.js'), '--results', results, '--report', report], { encoding: 'utf8' });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.include(`report: ${report} rendered from ${results}`);
      // The text the bench writes for that file, its charts beside the results.
      const { summary, details, findingsJson, charts } = renderReport(sample(), { chartsDir: 'charts', resultsFile: 'full.json',
        summary: { chartsDir: 'charts', details: 'full.DETAILS.md', findings: 'full.findings.json', results: 'full.json', resultsMd: 'RESULTS.md' } });
      expect(readFileSync(report, 'utf8')).to.equal(summary);
      expect(readFileSync(join(dir, 'full.DETAILS.md'), 'utf8')).to.equal(details);
      expect(readFileSync(join(dir, 'full.findings.json'), 'utf8')).to.equal(findingsJson);
      expect(readdirSync(join(dir, 'charts')).sort()).to.deep.equal(Object.keys(charts).sort());
      const unknown = spawnSync(process.execPath, [join(ROOT, 'dist/cli/report.js'), '--help'], { encoding: 'utf8' });
      expect(unknown.status, 'an option the tool does not know').to.equal(1);
      expect(unknown.stderr.trim()).to.equal("error: Unknown option '--help'; the options of report.js are listed at the top of cli/report.ts, the make targets by `make help`");
      const missing = spawnSync(process.execPath, [join(ROOT, 'dist/cli/report.js'), '--results', join(dir, 'none.json'), '--report', report], { encoding: 'utf8' });
      expect(missing.status).to.equal(1);
      expect(missing.stderr.trim()).to.equal(`error: --results: no results file at ${join(dir, 'none.json')} (make bench writes bench/results/full.json)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
