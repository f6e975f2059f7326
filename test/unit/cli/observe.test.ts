import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNativeExporters, startNativePrometheus, stopNativeExporters, stopNativePrometheus } from '../../../cli/observe.js';
import { loadConfig } from '../../../core/config.js';
import {
  COMPOSE_EXPORTERS, COMPOSE_PROMETHEUS_CONFIG, COMPOSE_TARGETS, localExporters, localTargets, prometheusConfig,
} from '../../../dashboards/src/PrometheusConfig.js';
import { findPrometheusBinary, startPrometheus } from '../../../dashboards/src/PrometheusServer.js';
import {
  findExporterBinary, mysqldExporterLaunch, redisExporterLaunch, startExporter, STORE_EXPORTERS,
} from '../../../dashboards/src/StoreExporters.js';
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

  it('scrapes the MariaDB and Redis exporters as jobs mysqld and redis when given, and only then', () => {
    const parsed = readYaml(prometheusConfig(COMPOSE_TARGETS, { exporters: { mysqld: 'db-exp:9104', redis: 'cache-exp:9121' } }));
    expect(parsed.scrape_configs.map((job: any) => job.job_name)).to.deep.equal(['cqrs-runtimes', 'mysqld', 'redis']);
    expect(parsed.scrape_configs[1].static_configs).to.deep.equal([{ targets: ['db-exp:9104'] }]);
    expect(parsed.scrape_configs[2].static_configs).to.deep.equal([{ targets: ['cache-exp:9121'] }]);
    expect(readYaml(prometheusConfig(COMPOSE_TARGETS, { exporters: { redis: 'r:1' } })).scrape_configs.map((job: any) => job.job_name))
      .to.deep.equal(['cqrs-runtimes', 'redis']);
    expect(localExporters(loadConfig({ MYSQLD_EXPORTER_PORT: '19104', REDIS_EXPORTER_PORT: '19121' })))
      .to.deep.equal({ mysqld: '127.0.0.1:19104', redis: '127.0.0.1:19121' });
    expect(localExporters(loadConfig({}))).to.deep.equal({ mysqld: '127.0.0.1:9104', redis: '127.0.0.1:9121' });
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
      writeFileSync(local, prometheusConfig(localTargets(loadConfig({})), { exporters: localExporters(loadConfig({})) }));
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
      .to.equal(prometheusConfig(COMPOSE_TARGETS, { exporters: COMPOSE_EXPORTERS }));
  });
});

describe('observe: store exporters', () => {
  it('mysqld_exporter up to 0.14: the connection in DATA_SOURCE_NAME, nothing secret on the command line', () => {
    const launch = mysqldExporterLaunch('mysql://bench:s%3Acr%40t@db.local:3307/cqrs_bench', '127.0.0.1:19104', 'usage: mysqld_exporter [<flags>]');
    expect(launch.args).to.deep.equal(['--web.listen-address=127.0.0.1:19104']);
    expect(launch.env).to.deep.equal({ DATA_SOURCE_NAME: 'bench:s:cr@t@tcp(db.local:3307)/' });
    expect(mysqldExporterLaunch('mysql://root@127.0.0.1/x', ':1', '').env).to.deep.equal({ DATA_SOURCE_NAME: 'root@tcp(127.0.0.1:3306)/' });
  });

  it('mysqld_exporter 0.15 and later: --mysqld.address and --mysqld.username, the password in MYSQLD_EXPORTER_PASSWORD, no ~/.my.cnf', () => {
    const launch = mysqldExporterLaunch('mysql://bench:secret@db.local:3307/cqrs_bench', '127.0.0.1:19104', '  --mysqld.address="localhost:3306"\n  --mysqld.username=""');
    expect(launch.args).to.deep.equal(['--web.listen-address=127.0.0.1:19104', '--mysqld.address=db.local:3307', '--mysqld.username=bench', '--config.my-cnf=']);
    expect(launch.env).to.deep.equal({ MYSQLD_EXPORTER_PASSWORD: 'secret' });
    expect(launch.args.join(' ')).to.not.include('secret');
  });

  it('redis_exporter: the address and credentials in REDIS_ADDR / REDIS_USER / REDIS_PASSWORD, the database index dropped', () => {
    expect(redisExporterLaunch('redis://127.0.0.1:6380/9', '127.0.0.1:19121')).to.deep.equal({
      args: ['--web.listen-address=127.0.0.1:19121'], env: { REDIS_ADDR: 'redis://127.0.0.1:6380' },
    });
    expect(redisExporterLaunch('redis://app:p%40ss@cache/0', ':1').env).to.deep.equal({ REDIS_ADDR: 'redis://cache:6379', REDIS_USER: 'app', REDIS_PASSWORD: 'p@ss' });
  });

  it('the installed exporters are the versions compose.yaml pins, so the panels\' metric names are the tested ones', () => {
    const { services } = composeConfig();
    for (const [kind, service, versionArgs] of [[STORE_EXPORTERS.mysqld, 'mysqld-exporter', ['--version']], [STORE_EXPORTERS.redis, 'redis-exporter', ['-version']]] as const) {
      const binary = findExporterBinary(kind);
      expect(binary, `${kind.program} is not installed: apt-get install ${kind.debianPackage}`).to.be.a('string');
      const installed = /(\d+\.\d+\.\d+)/.exec(run(binary!, [...versionArgs]).output)?.[1];
      expect(services[service].image, service).to.equal(`${service === 'mysqld-exporter' ? 'prom/mysqld-exporter' : 'oliver006/redis_exporter'}:v${installed}`);
    }
  });

  describe('pointed at a store that does not answer, they say so in their metrics (so the address given is the one used)', function () {
    this.timeout(30_000);
    for (const [kind, scheme, up] of [[STORE_EXPORTERS.mysqld, 'mysql', 'mysql_up'], [STORE_EXPORTERS.redis, 'redis', 'redis_up']] as const) {
      it(`${kind.program}: ${up} 0`, async () => {
        const closed = await findFreePort();
        const dir = mkdtempSync(join(tmpdir(), 'observe-exporter-'));
        const exporter = await startExporter(kind, { storeUrl: `${scheme}://root@127.0.0.1:${closed}/0`, port: await findFreePort(), logFile: join(dir, 'exporter.log') });
        try {
          const text = await (await fetch(`http://${exporter.address}/metrics`)).text();
          expect(text).to.match(new RegExp(`^${up} 0$`, 'm'));
        } finally {
          await exporter.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
});

describe('observe: compose.yaml', () => {
  it('passes `docker-compose config -q`, with and without the k6 profile', () => {
    for (const args of [['-f', 'compose.yaml', 'config', '-q'], ['-f', 'compose.yaml', '--profile', 'k6', 'config', '-q']]) {
      const result = run('docker-compose', args);
      expect(result.status, result.output).to.equal(0);
    }
    const services = run('docker-compose', ['-f', 'compose.yaml', '--profile', 'k6', 'config', '--services']).output.split('\n').filter(Boolean);
    expect(services).to.have.members(['mysql', 'redis', 'setup', 'fork', 'express', 'uws', 'prometheus', 'mysqld-exporter', 'redis-exporter', 'grafana', 'k6']);
  });

  it('the exporters Prometheus scrapes are the compose services, on the ports they publish, pointed at mysql and redis', () => {
    const { services } = composeConfig();
    for (const [store, service] of [['mysqld', 'mysqld-exporter'], ['redis', 'redis-exporter']] as const) {
      const [host, port] = COMPOSE_EXPORTERS[store]!.split(':');
      expect(host).to.equal(service);
      expect(services[service].ports.map((p: any) => (typeof p === 'string' ? p : `${p.host_ip}:${p.published}:${p.target}`)), service)
        .to.deep.equal([`127.0.0.1:${port}:${port}/tcp`]);
    }
    expect(services['mysqld-exporter'].environment.DATA_SOURCE_NAME).to.equal('root@tcp(mysql:3306)/');
    expect(services['mysqld-exporter'].depends_on.mysql.condition).to.equal('service_healthy');
    expect(services['redis-exporter'].environment.REDIS_ADDR).to.equal('redis://redis:6379');
    expect(services['redis-exporter'].depends_on.redis.condition).to.equal('service_healthy');
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

  it('starts, scrapes the three local runtimes and the two exporters, says so when already running, and stops', async () => {
    const port = await findFreePort();
    const config = loadConfig({
      OBSERVE_DIR: dir, PROMETHEUS_PORT: String(port), FORK_PORT: '18081', EXPRESS_PORT: '18082', UWS_PORT: '18083', MYSQLD_EXPORTER_PORT: '18104', REDIS_EXPORTER_PORT: '18121',
    });
    const lines: string[] = [];
    const started = await startNativePrometheus(config, (line) => lines.push(line));
    try {
      expect(started).to.include({ url: `http://127.0.0.1:${port}`, alreadyRunning: false });
      expect((await fetch(`${started.url}/-/ready`)).status).to.equal(200);
      expect(readFileSync(join(dir, 'prometheus.pid'), 'utf8').trim()).to.equal(String(started.pid));
      // Discovery hands targets to the scrape manager every few seconds.
      let targets: { labels: Record<string, string> }[] = [];
      for (let i = 0; i < 60 && targets.length < 5; i++) {
        const body = await (await fetch(`${started.url}/api/v1/targets`)).json() as { data: { activeTargets: typeof targets } };
        targets = body.data.activeTargets;
        if (targets.length < 5) await new Promise((r) => setTimeout(r, 250));
      }
      expect(targets.map((t) => [t.labels.job, t.labels.instance, t.labels.server_model ?? ''])).to.have.deep.members([
        ['cqrs-runtimes', '127.0.0.1:18081', 'fork'], ['cqrs-runtimes', '127.0.0.1:18082', 'express'], ['cqrs-runtimes', '127.0.0.1:18083', 'uws'],
        ['mysqld', '127.0.0.1:18104', ''], ['redis', '127.0.0.1:18121', ''],
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

  it('an exporter whose port is taken is one line, and the other still starts', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const config = loadConfig({ ...process.env, OBSERVE_DIR: dir, MYSQLD_EXPORTER_PORT: String(port), REDIS_EXPORTER_PORT: String(await findFreePort()) });
    const lines: string[] = [];
    try {
      const started = await startNativeExporters(config, (line) => lines.push(line));
      expect(started.map((e) => e.kind.name)).to.deep.equal(['redis']);
      expect(lines.filter((l) => l.includes(`port ${port} is taken`))).to.deep.equal([
        `mysqld_exporter: port ${port} is taken by another program: skipped (choose another port: MYSQLD_EXPORTER_PORT=...)`,
      ]);
    } finally {
      await stopNativeExporters(config);
      server.close();
    }
  });

  it('make observe without the exporters installed: Prometheus runs, one line per missing exporter; make observe-down stops it', async () => {
    // PATH holds prometheus alone: no exporters, no docker.
    const prometheus = findPrometheusBinary();
    expect(prometheus, 'prometheus is not installed: apt-get install prometheus').to.be.a('string');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(prometheus!, join(bin, 'prometheus'));
    const env = { ...process.env, PATH: bin, OBSERVE_DIR: join(dir, 'observe'), PROMETHEUS_PORT: String(await findFreePort()) };
    const up = run(process.execPath, [OBSERVE_SCRIPT, 'up'], env);
    try {
      expect(up.status, up.output).to.equal(0);
      expect(up.output).to.match(/Prometheus started/);
      for (const kind of Object.values(STORE_EXPORTERS)) {
        const mentions = up.output.split('\n').filter((line) => line.includes(kind.program));
        expect(mentions, up.output).to.have.length(1);
        expect(mentions[0]).to.include(`is not installed (Debian/Ubuntu: apt-get install ${kind.debianPackage})`);
      }
    } finally {
      const down = run(process.execPath, [OBSERVE_SCRIPT, 'down'], env);
      expect(down.status, down.output).to.equal(0);
      expect(down.output).to.include('native Prometheus stopped');
    }
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
