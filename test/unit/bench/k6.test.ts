import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../core/config.js';
import { K6_TREND_STATS, k6Command, type K6Run } from '../../../bench/k6/K6Command.js';
import { watchHints } from '../../../bench/k6/WatchHint.js';
import { loadTestRuns } from '../../../bench/loadtest.js';
import { loadScenarios } from '../../../bench/scenarios.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

function tsc(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [TSC, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function make(...args: string[]): string {
  const result = spawnSync('make', ['--no-print-directory', ...args], { cwd: ROOT, encoding: 'utf8' });
  expect(result.status, `make ${args.join(' ')}: ${result.stderr}`).to.equal(0);
  return result.stdout;
}

/** The values that follow each occurrence of `flag` in `args`. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag && args[i + 1] !== undefined ? [args[i + 1]!] : []));
}

describe('k6 (bench/k6)', function () {
  this.timeout(60_000);

  describe('the script type-checks against @types/k6', () => {
    it('npx tsc -p bench/k6/tsconfig.json passes', () => {
      const { status, output } = tsc(ROOT, '-p', 'bench/k6/tsconfig.json');
      expect(output).to.equal('');
      expect(status).to.equal(0);
    });

    it('a type error in a copy of the script is reported (same tsconfig, @types/k6 and ../scenarios.json)', () => {
      // The copy keeps the repository's layout, so imports and `typeof import('../scenarios.json')` resolve as they do here.
      const dir = mkdtempSync(join(tmpdir(), 'k6-typecheck-'));
      try {
        mkdirSync(join(dir, 'bench/k6'), { recursive: true });
        symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
        copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
        copyFileSync(join(ROOT, 'bench/scenarios.json'), join(dir, 'bench/scenarios.json'));
        copyFileSync(join(ROOT, 'bench/k6/tsconfig.json'), join(dir, 'bench/k6/tsconfig.json'));
        const script = readFileSync(join(ROOT, 'bench/k6/scenario.js'), 'utf8');
        writeFileSync(join(dir, 'bench/k6/scenario.js'), script);
        expect(tsc(dir, '-p', 'bench/k6/tsconfig.json').status, 'the unchanged copy passes').to.equal(0);

        const broken = script.replace('http.get(`${BASE_URL}${path(id)}`', 'http.get(42');
        expect(broken).to.not.equal(script);
        writeFileSync(join(dir, 'bench/k6/scenario.js'), broken);
        const { status, output } = tsc(dir, '-p', 'bench/k6/tsconfig.json');
        expect(status).to.not.equal(0);
        expect(output).to.match(/scenario\.js\(\d+,\d+\): error TS2345: Argument of type 'number'/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the main tsconfig does not compile the script', () => {
      const { output } = tsc(ROOT, '-p', '.', '--listFilesOnly');
      expect(output).to.contain('bench/k6/K6Command.ts');
      expect(output).to.not.contain('scenario.js');
    });
  });

  describe('the k6 command line', () => {
    const config = loadConfig({ PROMETHEUS_URL: 'http://prom.test:9999/', GRAFANA_URL: 'http://grafana.test:3001' });
    const run: K6Run = {
      driver: 'k6', runtime: 'uws', entity: 'orders', source: 'redis', operation: 'get', baseUrl: 'http://127.0.0.1:41234',
      quick: false, testId: 'uws-orders-redis-T1', script: '/repo/bench/k6/scenario.js', observe: config.observe, env: {},
    };

    it('k6: remote write to the configured Prometheus, trend stats, push interval, tags, then the script', () => {
      const { command, args, env } = k6Command(run);
      expect(command).to.equal('k6');
      expect(args[0]).to.equal('run');
      expect(valuesOf(args, '-o')).to.deep.equal(['experimental-prometheus-rw']);
      expect(valuesOf(args, '--tag')).to.have.members(['runtime=uws', 'entity=orders', 'source=redis', 'operation=get', 'testid=uws-orders-redis-T1']);
      expect(valuesOf(args, '-e')).to.have.members(['BASE_URL=http://127.0.0.1:41234', 'ENTITY=orders', 'SOURCE=redis', 'OPERATION=get']);
      expect(args.at(-1)).to.equal('/repo/bench/k6/scenario.js');
      expect(env).to.include({
        K6_PROMETHEUS_RW_SERVER_URL: 'http://prom.test:9999/api/v1/write',
        K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(95),p(99),avg,max',
      });
      expect(K6_TREND_STATS).to.equal(env.K6_PROMETHEUS_RW_TREND_STATS);
      const push = /^(\d+)s$/.exec(env.K6_PROMETHEUS_RW_PUSH_INTERVAL ?? '');
      expect(push, 'a push interval in seconds').to.not.equal(null);
      expect(Number(push![1])).to.be.within(1, 5);
    });

    it('the list run and --quick reach the script', () => {
      const { args } = k6Command({ ...run, operation: 'list', quick: true });
      expect(valuesOf(args, '-e')).to.include.members(['OPERATION=list', 'QUICK=1']);
      expect(valuesOf(args, '--tag')).to.include('operation=list');
      expect(valuesOf(k6Command(run).args, '-e')).to.not.include('QUICK=1');
    });

    it('a write run reaches the script with its command and connections; a read run leaves the connections to the scenario', () => {
      const { args } = k6Command({ ...run, operation: 'delete', source: 'db', connections: 16 });
      expect(valuesOf(args, '-e')).to.include.members(['OPERATION=delete', 'CONNECTIONS=16', 'ENTITY=orders']);
      expect(valuesOf(args, '--tag')).to.include('operation=delete');
      expect(valuesOf(k6Command(run).args, '-e').some((e) => e.startsWith('CONNECTIONS='))).to.equal(false);
    });

    it('make k6-*-write runs each of the entity\'s commands at each connection count; -mixed the mixed scenario once', () => {
      const scenarios = loadScenarios();
      const runs = loadTestRuns(scenarios, { entity: 'products', source: 'redis', kind: 'write', quick: false });
      expect(runs.map((r) => `${r.operation}@${r.connections}`)).to.deep.equal(['create@1', 'create@16', 'create@64', 'update@1', 'update@16', 'update@64', 'delete@1', 'delete@16', 'delete@64']);
      expect(loadTestRuns(scenarios, { entity: 'orders', source: 'redis', kind: 'write', quick: false }).map((r) => r.operation)).to.not.include('update');
      expect(loadTestRuns(scenarios, { entity: 'orders', source: 'db', kind: 'mixed', quick: false })).to.deep.equal([{ operation: 'mixed', source: 'redis', connections: 50 }]);
      expect(loadTestRuns(scenarios, { entity: 'orders', source: 'db', quick: false }).map((r) => `${r.operation}/${r.source}`)).to.deep.equal(['get/db', 'list/db']);
    });

    it('a K6_PROMETHEUS_RW_SERVER_URL already set wins over the configured Prometheus', () => {
      const { env } = k6Command({ ...run, env: { K6_PROMETHEUS_RW_SERVER_URL: 'http://mimir.test/api/v1/push' } });
      expect(env.K6_PROMETHEUS_RW_SERVER_URL).to.equal('http://mimir.test/api/v1/push');
      expect(env.K6_PROMETHEUS_RW_TREND_STATS).to.equal(K6_TREND_STATS);
    });

    it('the default Prometheus is http://127.0.0.1:<PROMETHEUS_PORT>', () => {
      const { env } = k6Command({ ...run, observe: loadConfig({ PROMETHEUS_PORT: '9191' }).observe });
      expect(env.K6_PROMETHEUS_RW_SERVER_URL).to.equal('http://127.0.0.1:9191/api/v1/write');
    });

    it('Docker: the remote-write variables go into the container (-e before the image), k6 gets the same flags', () => {
      const { command, args, env } = k6Command({ ...run, driver: 'docker', env: { K6_PROMETHEUS_RW_SERVER_URL: 'http://mimir.test/api/v1/push' } });
      expect(command).to.equal('docker');
      expect(env).to.deep.equal({});
      const image = args.indexOf('grafana/k6');
      expect(image).to.be.greaterThan(0);
      const [dockerArgs, k6Args] = [args.slice(0, image), args.slice(image + 1)];
      expect(dockerArgs.slice(0, 2)).to.deep.equal(['run', '--rm']);
      expect(valuesOf(dockerArgs, '--network')).to.deep.equal(['host']);
      expect(valuesOf(dockerArgs, '-v')).to.deep.equal(['/repo/bench:/bench:ro']);
      expect(valuesOf(dockerArgs, '-e')).to.include.members([
        'K6_PROMETHEUS_RW_SERVER_URL=http://mimir.test/api/v1/push',
        'K6_PROMETHEUS_RW_TREND_STATS=p(50),p(95),p(99),avg,max',
      ]);
      expect(valuesOf(dockerArgs, '-e').some((e) => e.startsWith('K6_PROMETHEUS_RW_PUSH_INTERVAL='))).to.equal(true);
      expect(k6Args[0]).to.equal('run');
      expect(valuesOf(k6Args, '-o')).to.deep.equal(['experimental-prometheus-rw']);
      expect(valuesOf(k6Args, '--tag')).to.include.members(['runtime=uws', 'entity=orders', 'source=redis']);
      expect(valuesOf(k6Args, '-e')).to.include('BASE_URL=http://127.0.0.1:41234');
      expect(valuesOf(k6Args, '-e').some((e) => e.startsWith('K6_'))).to.equal(false);
      expect(k6Args.at(-1)).to.equal('/bench/k6/scenario.js');
    });

    it('says where to watch: both dashboards with k6, only the servers\' without it', () => {
      const k6 = watchHints('k6', config.observe, 'http://prom.test:9999/api/v1/write', 'T1').join('\n');
      expect(k6).to.contain('http://grafana.test:3001/d/cqrs-load').and.contain('http://grafana.test:3001/d/cqrs-runtimes');
      expect(k6).to.contain('make observe').and.contain('http://prom.test:9999/api/v1/write');
      const fallback = watchHints('fallback', config.observe, 'http://prom.test:9999/api/v1/write', 'T1').join('\n');
      expect(fallback).to.contain('http://grafana.test:3001/d/cqrs-runtimes').and.contain('no k6 view').and.contain('server-side dashboards still work');
      expect(fallback).to.not.contain('/d/cqrs-load');
    });
  });

  describe('the original demo\'s target names (Makefile)', () => {
    const models = { fpm: 'fork', franken: 'express', 'franken-worker': 'uws' } as const;
    // Reads from either source, the entity's commands (write), and the mixed scenario per server model.
    const aliases = Object.entries(models).flatMap(([model, runtime]) => [
      ...['products', 'customers', 'orders'].flatMap((entity) => ['db', 'redis', 'write'].map((source) =>
        ({ name: `k6-${model}-${entity}-${source}`, target: `k6-${runtime}-${entity}-${source}`, args: `${runtime} ${entity} ${source}` }))),
      { name: `k6-${model}-mixed`, target: `k6-${runtime}-mixed`, args: `${runtime} mixed` },
    ]);

    it('there are 30', () => {
      expect(new Set(aliases.map((a) => a.name)).size).to.equal(30);
    });

    for (const alias of aliases) {
      it(`make -n ${alias.name} runs loadtest.js ${alias.args}`, () => {
        const lines = make('-n', alias.name).split('\n').filter((line) => line.includes('dist/cli/loadtest.js'));
        expect(lines).to.have.length(1);
        expect(lines[0]!.trim()).to.match(new RegExp(`^\\S*node dist/cli/loadtest\\.js ${alias.args}$`));
      });
    }

    it('make help names the aliases and their mapping; make k6-aliases lists the 30', () => {
      const help = make('help').split('\n').filter((line) => line.includes('k6-fpm'));
      expect(help).to.have.length(1);
      expect(help[0]).to.contain('k6-franken-*').and.contain('k6-franken-worker-*').and.match(/fpm → fork.*franken → express.*franken-worker → uws/);
      const listed = make('k6-aliases').split('\n').filter(Boolean).map((line) => line.split(/\s+→\s+/).map((s) => s.trim()));
      expect(listed).to.have.deep.members(aliases.map((a) => [a.name, a.target]));
    });

    it('they are phony', () => {
      const phony = make('-pn', 'k6-aliases').split('\n').filter((line) => line.startsWith('.PHONY:')).join(' ').split(/\s+/);
      expect(phony).to.include.members([...aliases.map((a) => a.name), 'k6-aliases']);
    });
  });
});
