import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNativePrometheus, stopNativePrometheus } from '../../../cli/observe.js';
import { loadConfig } from '../../../core/config.js';
import {
  COMPOSE_PROMETHEUS_CONFIG, COMPOSE_TARGETS, localTargets, prometheusConfig,
} from '../../../dashboards/src/PrometheusConfig.js';
import { startPrometheus } from '../../../dashboards/src/PrometheusServer.js';
import { findFreePort, RUNTIME_NAMES } from '../../../runtimes/launcher.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const OBSERVE_SCRIPT = fileURLToPath(new URL('../../../cli/observe.js', import.meta.url));
const IMAGE = 'cqrs-node-bench:local';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}` };
}

// The project has no YAML library: YAML is read by the interpreter that runs docker-compose (it needs PyYAML).
function readYaml(text: string): any {
  const composeBinary = run('/bin/sh', ['-c', 'command -v docker-compose']).output.trim();
  const python = readFileSync(composeBinary, 'utf8').split('\n')[0]!.replace(/^#!\s*/, '').trim();
  const result = spawnSync(python, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: text, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot read YAML with ${python}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function composeConfig(): any {
  const result = run('docker-compose', ['-f', 'compose.yaml', '--profile', 'k6', 'config']);
  expect(result.status, result.output).to.equal(0);
  return readYaml(result.output);
}

/** Prometheus configurations in the repository (not dependencies, build output or runtime folders). */
function prometheusConfigsInRepo(dir = ROOT): string[] {
  const skip = new Set(['node_modules', 'dist', '.git', '.services', '.observe', '.run']);
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skip.has(entry.name) ? [] : prometheusConfigsInRepo(path);
    return /\.ya?ml$/.test(entry.name) && /^scrape_configs:/m.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

interface DockerInstruction { readonly keyword: string; readonly args: string }

function dockerfileInstructions(): DockerInstruction[] {
  const text = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
}

/** A shell command without its long options, so `npm ci --omit=dev` is recognised as `npm ci`. */
function commandCore(command: string): string {
  return command.split(/\s+/).filter((word) => word && !word.startsWith('--')).join(' ');
}

describe('observe: Prometheus configuration', () => {
  it('scrapes every target every second under job cqrs-runtimes, labelled server_model (not runtime), deterministically', () => {
    const text = prometheusConfig(COMPOSE_TARGETS);
    const parsed = readYaml(text);
    expect(parsed.global).to.deep.equal({ scrape_interval: '1s', evaluation_interval: '1s' });
    expect(parsed.scrape_configs).to.have.length(1);
    expect(parsed.scrape_configs[0].job_name).to.equal('cqrs-runtimes');
    expect(parsed.scrape_configs[0].metrics_path).to.equal('/metrics');
    expect(parsed.scrape_configs[0].static_configs).to.deep.equal([
      { targets: ['fork:8081'], labels: { server_model: 'fork' } },
      { targets: ['express:8082'], labels: { server_model: 'express' } },
      { targets: ['uws:8083'], labels: { server_model: 'uws' } },
    ]);
    expect(prometheusConfig(COMPOSE_TARGETS)).to.equal(text);
    expect(readYaml(prometheusConfig(COMPOSE_TARGETS, { scrapeIntervalSec: 5 })).global.scrape_interval).to.equal('5s');
  });

  it('targets the runtimes of this machine at HOST and the FORK/EXPRESS/UWS ports', () => {
    expect(localTargets(loadConfig({ HOST: '10.0.0.5', FORK_PORT: '9001', EXPRESS_PORT: '9002', UWS_PORT: '9003' }))).to.deep.equal([
      { runtime: 'fork', address: '10.0.0.5:9001' },
      { runtime: 'express', address: '10.0.0.5:9002' },
      { runtime: 'uws', address: '10.0.0.5:9003' },
    ]);
    expect(localTargets(loadConfig({ HOST: '0.0.0.0' })).map((t) => t.address)).to.deep.equal(['127.0.0.1:8081', '127.0.0.1:8082', '127.0.0.1:8083']);
  });

  it('passes `promtool check config`: every Prometheus configuration in the repository and the generated local one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'observe-promtool-'));
    try {
      const local = join(dir, 'local.yml');
      writeFileSync(local, prometheusConfig(localTargets(loadConfig({}))));
      const files = [...prometheusConfigsInRepo(), local];
      expect(files).to.include(join(ROOT, COMPOSE_PROMETHEUS_CONFIG));
      for (const file of files) {
        const result = run('promtool', ['check', 'config', file]);
        expect(result.status, `${file}: ${result.output}`).to.equal(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`the committed ${COMPOSE_PROMETHEUS_CONFIG} is what the generator writes`, () => {
    const committed = readFileSync(join(ROOT, COMPOSE_PROMETHEUS_CONFIG), 'utf8');
    expect(committed, `${COMPOSE_PROMETHEUS_CONFIG} differs from prometheusConfig(COMPOSE_TARGETS): run \`make dashboards\``)
      .to.equal(prometheusConfig(COMPOSE_TARGETS));
  });
});

describe('observe: compose.yaml', () => {
  it('passes `docker-compose config -q`, with and without the k6 profile', () => {
    for (const args of [['-f', 'compose.yaml', 'config', '-q'], ['-f', 'compose.yaml', '--profile', 'k6', 'config', '-q']]) {
      const result = run('docker-compose', args);
      expect(result.status, result.output).to.equal(0);
    }
    const services = run('docker-compose', ['-f', 'compose.yaml', '--profile', 'k6', 'config', '--services']).output.split('\n').filter(Boolean);
    expect(services).to.have.members(['mysql', 'redis', 'setup', 'fork', 'express', 'uws', 'prometheus', 'grafana', 'k6']);
  });

  it('Prometheus reads the generated configuration and accepts remote writes; k6 writes there', () => {
    const { services } = composeConfig();
    const configFlag = (services.prometheus.command as string[]).find((a) => a.startsWith('--config.file='))!.split('=')[1];
    expect(services.prometheus.volumes).to.include(`${join(ROOT, COMPOSE_PROMETHEUS_CONFIG)}:${configFlag}:ro`);
    expect(services.prometheus.command).to.include('--web.enable-remote-write-receiver');
    expect(services.k6.environment.K6_PROMETHEUS_RW_SERVER_URL).to.equal('http://prometheus:9090/api/v1/write');
    expect(services.k6.command).to.include('experimental-prometheus-rw');
    expect(services.k6.profiles).to.deep.equal(['k6']);
  });

  it('the runtimes wait for the setup to finish and reach MySQL and Redis by service name', () => {
    const { services } = composeConfig();
    for (const name of RUNTIME_NAMES) {
      expect(services[name].depends_on.setup.condition, name).to.equal('service_completed_successfully');
      expect(services[name].environment.MYSQL_URL, name).to.equal('mysql://root@mysql:3306/cqrs_bench');
      expect(services[name].environment.REDIS_URL, name).to.equal('redis://redis:6379/0');
      expect(services[name].environment.HOST, name).to.equal('0.0.0.0');
    }
  });
});

describe('observe: docker/Dockerfile held against the repository', () => {
  it('builds on Debian slim Node images (the uWS binary needs glibc), never Alpine', () => {
    const bases = dockerfileInstructions().filter((i) => i.keyword === 'FROM').map((i) => i.args.split(/\s+/)[0]!);
    expect(bases).to.have.length.greaterThan(0);
    for (const base of bases) expect(base).to.match(/^node:\d+-bookworm-slim$/);
  });

  it('copies only what exists and what .dockerignore lets into the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const sources = dockerfileInstructions()
      .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
      .flatMap((i) => i.args.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1));
    expect(sources).to.include.members(['package-lock.json', 'core', 'runtimes']);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `COPY ${source}: no such file in the repository`).to.equal(true);
      const excludedBy = ignored.find((pattern) => source === pattern || source.startsWith(`${pattern}/`));
      expect(excludedBy, `COPY ${source} is excluded by .dockerignore (${excludedBy})`).to.equal(undefined);
    }
  });

  it('runs only commands the README, Makefile or .ci/run run', () => {
    const known = commandCore(['README.md', 'Makefile', '.ci/run'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n'));
    const commands = dockerfileInstructions().filter((i) => i.keyword === 'RUN').flatMap((i) => i.args.split('&&')).map(commandCore);
    expect(commands).to.include.members(['npm ci', 'npx tsc -p .']);
    for (const command of commands) expect(known, `RUN ${command}`).to.include(command);
  });

  it('every entry point the image or compose.yaml starts is compiled by the build', () => {
    const cmd = dockerfileInstructions().filter((i) => i.keyword === 'CMD').at(-1)!;
    const defaultCommand = (JSON.parse(cmd.args) as string[]).join(' ');
    const defaultRuntime = /ARG RUNTIME=(\w+)/.exec(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8'))?.[1];
    const { services } = composeConfig();
    const entryPoints = Object.entries<any>(services).filter(([, s]) => s.image === IMAGE).map(([name, s]) => {
      const command: string = s.command ? (s.command as string[]).join(' ') : defaultCommand.replace(/\$\{?RUNTIME\}?/g, s.environment?.RUNTIME ?? defaultRuntime);
      const script = /\bnode\s+(dist\/\S+\.js)/.exec(command)?.[1];
      expect(script, `${name} starts no node dist/…js: ${command}`).to.be.a('string');
      return script!;
    });
    entryPoints.push(`${/\bnode\s+(dist\/\S+?)\$\{?RUNTIME\}?/.exec(defaultCommand)![1]}${defaultRuntime}/server.js`);
    expect(entryPoints).to.include.members([...RUNTIME_NAMES.map((r) => `dist/runtimes/${r}/server.js`), 'dist/cli/prepare-bench.js']);
    for (const script of entryPoints) {
      expect(existsSync(join(ROOT, script.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), `${script}: no TypeScript source`).to.equal(true);
      expect(existsSync(join(ROOT, script)), `${script}: not produced by npx tsc -p .`).to.equal(true);
    }
  });
});

describe('observe: Grafana provisioning', () => {
  const provisioning = join(ROOT, 'docker/grafana/provisioning');

  it('provides the Prometheus datasource with uid "prometheus", the default, scraped every second', () => {
    const { datasources } = readYaml(readFileSync(join(provisioning, 'datasources/prometheus.yaml'), 'utf8'));
    expect(datasources).to.have.length(1);
    expect(datasources[0]).to.include({ uid: 'prometheus', name: 'Prometheus', type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    expect(datasources[0].jsonData.timeInterval).to.equal('1s');
  });

  it('loads dashboards from where compose.yaml mounts dashboards/provisioned, and mounts the provisioning', () => {
    const { providers } = readYaml(readFileSync(join(provisioning, 'dashboards/cqrs.yaml'), 'utf8'));
    const { services } = composeConfig();
    const volumes = services.grafana.volumes as string[];
    const dashboardsMount = volumes.find((v) => v.startsWith(`${join(ROOT, 'dashboards/provisioned')}:`));
    expect(dashboardsMount, volumes.join(', ')).to.be.a('string');
    expect(dashboardsMount!.split(':')[2]).to.equal('ro');
    expect(providers.map((p: any) => p.options.path)).to.deep.equal([dashboardsMount!.split(':')[1]]);
    expect(volumes).to.include(`${provisioning}:/etc/grafana/provisioning:ro`);
    expect(services.grafana.environment).to.include({ GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer' });
  });
});

describe('observe: native Prometheus (make observe without Docker)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'observe-native-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts, scrapes the three local runtimes, says so when already running, and stops', async () => {
    const port = await findFreePort();
    const config = loadConfig({ OBSERVE_DIR: dir, PROMETHEUS_PORT: String(port), FORK_PORT: '18081', EXPRESS_PORT: '18082', UWS_PORT: '18083' });
    const lines: string[] = [];
    const started = await startNativePrometheus(config, (line) => lines.push(line));
    try {
      expect(started).to.include({ url: `http://127.0.0.1:${port}`, alreadyRunning: false });
      expect((await fetch(`${started.url}/-/ready`)).status).to.equal(200);
      expect(readFileSync(join(dir, 'prometheus.pid'), 'utf8').trim()).to.equal(String(started.pid));
      // Discovery hands targets to the scrape manager every few seconds.
      let targets: { labels: Record<string, string> }[] = [];
      for (let i = 0; i < 60 && targets.length < 3; i++) {
        const body = await (await fetch(`${started.url}/api/v1/targets`)).json() as { data: { activeTargets: typeof targets } };
        targets = body.data.activeTargets;
        if (targets.length < 3) await new Promise((r) => setTimeout(r, 250));
      }
      expect(targets.map((t) => [t.labels.instance, t.labels.server_model])).to.have.deep.members([
        ['127.0.0.1:18081', 'fork'], ['127.0.0.1:18082', 'express'], ['127.0.0.1:18083', 'uws'],
      ]);
      const again = await startNativePrometheus(config, (line) => lines.push(line));
      expect(again).to.include({ pid: started.pid, alreadyRunning: true });
      expect(lines.join('\n')).to.match(/already running/);
    } finally {
      expect(await stopNativePrometheus(config)).to.equal(true);
    }
    expect(existsSync(join(dir, 'prometheus.pid'))).to.equal(false);
    expect(await fetch(`${started.url}/-/ready`).then(() => 'answered', () => 'refused')).to.equal('refused');
  });

  it('refuses a port another program holds, saying so', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const config = loadConfig({ OBSERVE_DIR: dir, PROMETHEUS_PORT: String(port) });
      let message = '';
      await startNativePrometheus(config, () => undefined).catch((err: Error) => { message = err.message; });
      expect(message).to.match(new RegExp(`port ${port} is taken by another program`));
    } finally {
      server.close();
    }
  });

  it('names the log file when Prometheus fails to start', async () => {
    const configFile = join(dir, 'broken.yml');
    writeFileSync(configFile, 'scrape_configs: [ { job_name: x, scrape_interval: nonsense } ]\n');
    const logFile = join(dir, 'prometheus.log');
    let message = '';
    await startPrometheus({ configFile, dataDir: join(dir, 'data'), port: await findFreePort(), logFile }).catch((err: Error) => { message = err.message; });
    expect(message).to.include(logFile);
    expect(readFileSync(logFile, 'utf8')).to.match(/nonsense/);
  });

  it('without prometheus installed, exits 1 saying what to install', () => {
    // PATH is only the empty temp folder: no prometheus, no docker.
    const result = run(process.execPath, [OBSERVE_SCRIPT, 'up'], { ...process.env, PATH: dir, OBSERVE_DIR: dir, PROMETHEUS_PORT: '1' });
    expect(result.status, result.output).to.equal(1);
    expect(result.output).to.include('Docker is not available');
    expect(result.output).to.include('apt-get install prometheus');
    expect(result.output).to.include('make observe');
  });
});
