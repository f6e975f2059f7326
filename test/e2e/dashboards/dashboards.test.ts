import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application } from '../../../core/app.js';
import { DASHBOARDS, panelQueries, variableQueries, type PanelQuery } from '../../../dashboards/src/catalogue.js';
import { DATASOURCE } from '../../../dashboards/src/panels.js';
import { prometheusConfig } from '../../../dashboards/src/PrometheusConfig.js';
import { queryPrometheus, startPrometheus, type RunningPrometheus } from '../../../dashboards/src/PrometheusServer.js';
import { startExporter, STORE_EXPORTERS, type RunningExporter } from '../../../dashboards/src/StoreExporters.js';
import { RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { freePort } from '../../support/net.js';
import { call, startRuntime } from '../../support/runtimes.js';

// Every PromQL expression of every dashboard panel, run against a real Prometheus that scraped the three
// real runtimes and the real mysqld_exporter and redis_exporter (Debian's packages, pointed at the test's MariaDB
// and Redis; missing, the suite fails saying what to install) every second, as the compose stack does, while the
// runtimes served a short mixed load.

const LOAD_MS = 6_000;
/** Grafana's variables as a user with every option selected would send them. */
const GRAFANA_VARIABLES: ReadonlyArray<[RegExp, string]> = [
  [/\$__rate_interval/g, '10s'],
  [/\$__interval/g, '1s'],
  [/\$__range/g, '1m'],
  [/\$(runtime|route|source|testid)\b/g, '.*'],
];

function asGrafanaSends(expr: string): string {
  return GRAFANA_VARIABLES.reduce((text, [pattern, value]) => text.replace(pattern, value), expr);
}

/** k6 writes its series only when k6 runs, and k6 cannot be installed here. */
const isK6Query = (expr: string) => /\bk6_/.test(expr);

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Every query is evaluated at one instant just after the load (as a dashboard looked at then would be): a
 * 10 s rate window evaluated later, on a slow machine after a hundred queries, could miss the load entirely.
 */
let evaluatedAt: Date | undefined;

async function instant(url: string, expr: string, at: Date | undefined = evaluatedAt): Promise<Sample[]> {
  const data = await queryPrometheus(url, asGrafanaSends(expr), at);
  expect(data.resultType, expr).to.equal('vector');
  return data.result as Sample[];
}

/** runtime → value of a query that yields one series per runtime. */
async function byRuntime(url: string, expr: string, at: Date | undefined = evaluatedAt): Promise<Map<string, number>> {
  return new Map((await instant(url, expr, at)).map((s) => [s.metric.runtime ?? '', Number(s.value[1])]));
}

/**
 * One row-lock wait of about a second: a transaction holds a product row while a second one asks for it, as two
 * commands on the same row would. The Data stores dashboard's row-lock panels must see it.
 */
async function rowLockWait(app: Application): Promise<void> {
  const holder = await app.knex.transaction();
  try {
    await holder.raw('SELECT id FROM products WHERE id = 1 FOR UPDATE');
    const waiter = app.knex.transaction(async (trx) => { await trx.raw('SELECT id FROM products WHERE id = 1 FOR UPDATE'); });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await holder.commit();
    await waiter;
  } finally {
    if (!holder.isCompleted()) await holder.rollback();
  }
}

/** A few seconds of every kind of request: reads from both sources, writes (events), a 404. */
async function mixedLoad(base: string, until: number): Promise<number> {
  let requests = 0;
  const paths = ['/en/products/projection/1', '/en/products/db/2', '/en/products/projection?limit=5', '/en/orders/db?limit=5',
    '/en/customers/projection/1', '/en/orders/projection/1', '/en/no-such-thing'];
  const worker = async (offset: number) => {
    for (let i = offset; Date.now() < until; i++) {
      if (i % 25 === 0) await call(base, 'POST', '/en/products', { name: `dash ${i}`, description: 'd', price: '1.00' });
      else await call(base, 'GET', paths[i % paths.length]!);
      requests++;
    }
  };
  // 16 connections: uWS's workers share the port through SO_REUSEPORT and the kernel picks a worker per
  // connection, so 4 connections all landed on one of the two workers now and then (1 run in ~8).
  await Promise.all(Array.from({ length: 16 }, (_, i) => worker(i)));
  return requests;
}

describe('dashboards: every panel query against a real Prometheus that scraped the three runtimes', function () {
  this.timeout(120_000);
  let app: Application;
  let prometheus: RunningPrometheus;
  let folder: string;
  const runtimes = new Map<RuntimeName, LaunchedRuntime>();
  const exporters: RunningExporter[] = [];
  const queries: PanelQuery[] = DASHBOARDS.flatMap(({ build }) => panelQueries(build()));

  before(async function () {
    this.timeout(180_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    for (const name of RUNTIME_NAMES) runtimes.set(name, await startRuntime(name));
    folder = mkdtempSync(join(tmpdir(), 'cqrs-prometheus-'));
    const mysqld = await startExporter(STORE_EXPORTERS.mysqld, { storeUrl: app.config.mysqlUrl, port: await freePort(), logFile: join(folder, 'mysqld-exporter.log') });
    exporters.push(mysqld);
    const redis = await startExporter(STORE_EXPORTERS.redis, { storeUrl: app.config.redisUrl, port: await freePort(), logFile: join(folder, 'redis-exporter.log') });
    exporters.push(redis);
    const configFile = join(folder, 'prometheus.yml');
    writeFileSync(configFile, prometheusConfig([...runtimes].map(([runtime, r]) => ({ runtime, address: new URL(r.url).host })),
      { exporters: { mysqld: mysqld.address, redis: redis.address } }));
    prometheus = await startPrometheus({ configFile, dataDir: join(folder, 'data'), port: await freePort(), logFile: join(folder, 'prometheus.log'), remoteWriteReceiver: true });
    const until = Date.now() + LOAD_MS;
    // The lock wait once Prometheus holds a sample of the counter from before it: rate() needs one on each side.
    const afterFirstScrape = async () => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
        if ((await instant(prometheus.url, 'mysql_global_status_innodb_row_lock_waits', new Date())).length > 0) return rowLockWait(app);
      }
      throw new Error('Prometheus did not scrape mysqld_exporter within 10 s');
    };
    await Promise.all([...[...runtimes.values()].map((r) => mixedLoad(r.url, until)), afterFirstScrape()]);
    // Two more scrapes after the load, so every rate window holds the whole load.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    evaluatedAt = new Date();
  });
  after(async () => {
    await prometheus?.stop();
    await Promise.all(exporters.map((e) => e.stop()));
    await Promise.all([...runtimes.values()].map((r) => r.stop()));
    await app?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('Prometheus scraped all three runtimes', async () => {
    const up = await byRuntime(prometheus.url, 'max by (runtime) (cqrs_http_requests_total * 0 + 1)');
    expect([...up.keys()].sort()).to.deep.equal([...RUNTIME_NAMES].sort());
  });

  it('Prometheus scraped both exporters (jobs mysqld and redis), and each reached its store', async () => {
    const up = await instant(prometheus.url, 'max by (job) (mysql_up or redis_up)');
    expect(Object.fromEntries(up.map((s) => [s.metric.job, Number(s.value[1])]))).to.deep.equal({ mysqld: 1, redis: 1 });
  });

  it('the dashboards hold queries for every runtime metric family the design names', () => {
    const all = queries.map((q) => q.expr).join('\n');
    for (const family of ['cqrs_http_requests_total', 'cqrs_http_request_duration_seconds_bucket', 'cqrs_http_requests_in_flight', 'cqrs_busy_workers',
      'cqrs_idle_workers', 'cqrs_total_workers', 'cqrs_queue_length', 'cqrs_max_queue_length', 'cqrs_max_workers_reached_total',
      'cqrs_worker_restarts_total', 'cqrs_worker_crashes_total', 'cqrs_worker_requests_total', 'cqrs_event_loop_lag_seconds',
      'cqrs_event_loop_utilization', 'cqrs_mysql_query_duration_seconds', 'cqrs_redis_command_duration_seconds',
      'cqrs_projector_lag_events', 'cqrs_projector_inline_failures_total', 'cqrs_projector_events_applied_total',
      'process_cpu_seconds_total', 'process_resident_memory_bytes', 'k6_http_reqs_total', 'k6_http_req_duration_p99',
      'cqrs_projection_lag_seconds_bucket', 'mysql_global_status_commands_total', 'mysql_global_status_innodb_data_fsyncs',
      'mysql_global_status_innodb_row_lock_waits', 'mysql_global_status_innodb_row_lock_time', 'mysql_global_status_threads_running',
      'mysql_global_status_innodb_buffer_pool_reads', 'redis_commands_total', 'redis_commands_duration_seconds_total',
      'redis_memory_used_bytes', 'redis_connected_clients', 'redis_db_keys']) {
      expect(all, family).to.include(family);
    }
  });

  describe('every server-side panel query returns data', () => {
    for (const query of queries.filter((q) => !isK6Query(q.expr))) {
      it(`${query.dashboard} / ${query.panel}: ${query.expr.slice(0, 90)}`, async () => {
        const samples = await instant(prometheus.url, query.expr);
        expect(samples, query.expr).to.not.be.empty;
      });
    }
  });

  describe('every k6 panel query is valid PromQL (k6 is not installable here, so there is no k6 data to return)', () => {
    for (const query of queries.filter((q) => isK6Query(q.expr))) {
      it(`${query.dashboard} / ${query.panel}: ${query.expr.slice(0, 90)}`, async () => {
        await instant(prometheus.url, query.expr); // throws on a parse or evaluation error
      });
    }
  });

  it('every panel and variable uses the provisioned datasource', () => {
    for (const query of queries) expect(query.datasourceUid, `${query.dashboard} / ${query.panel}`).to.equal(DATASOURCE.uid);
    for (const { build } of DASHBOARDS) {
      for (const variable of variableQueries(build())) expect(variable.datasourceUid, variable.name).to.equal(DATASOURCE.uid);
    }
  });

  it('every variable query returns values from the same Prometheus', async () => {
    for (const { build } of DASHBOARDS) {
      for (const variable of variableQueries(build())) {
        const match = /^label_values\((.+),\s*(\w+)\)$/.exec(variable.query);
        expect(match, `${variable.name}: ${variable.query}`).to.not.equal(null);
        const [, selector, label] = match!;
        const response = await fetch(`${prometheus.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': asGrafanaSends(selector!) })}`);
        const body = (await response.json()) as { status: string; data: string[] };
        expect(body.status, variable.query).to.equal('success');
        if (isK6Query(selector!)) continue; // no k6 run here
        expect(body.data, variable.query).to.not.be.empty;
        if (label === 'runtime' && selector!.startsWith('cqrs_http_requests_total')) expect(body.data.sort()).to.deep.equal([...RUNTIME_NAMES].sort());
      }
    }
  });

  describe('the panels tell a consistent story', () => {
    const expr = (dashboard: string, panel: string, legend?: number) => {
      const found = queries.filter((q) => q.dashboard === dashboard && q.panel === panel);
      expect(found, `${dashboard} / ${panel}`).to.not.be.empty;
      return found[legend ?? 0]!.expr;
    };

    it('every runtime served requests: req/s > 0', async () => {
      const rps = await byRuntime(prometheus.url, expr('cqrs-runtimes', 'Requests per second'));
      for (const name of RUNTIME_NAMES) expect(rps.get(name), name).to.be.greaterThan(0);
    });

    it('p50 ≤ p95 ≤ p99 for every runtime', async () => {
      const [p50, p95, p99] = await Promise.all(['p50 latency', 'p95 latency', 'p99 latency'].map((p) => byRuntime(prometheus.url, expr('cqrs-runtimes', p))));
      for (const name of RUNTIME_NAMES) {
        expect(p50!.get(name), `${name} p50`).to.be.greaterThan(0);
        expect(p50!.get(name)!, `${name} p50 ≤ p95`).to.be.at.most(p95!.get(name)!);
        expect(p95!.get(name)!, `${name} p95 ≤ p99`).to.be.at.most(p99!.get(name)!);
      }
    });

    it('busy, idle and total workers, and utilisation = 100 × busy ÷ total, at instants with a known number of workers busy', async () => {
      const pooled = ['fork', 'uws'] as const;
      /** The first instant, polled from now on, at which Prometheus's last scrape of each pool shows `wanted` busy workers. */
      const scrapedBusy = async (wanted: (name: string, busy: number) => boolean): Promise<Date> => {
        for (let i = 0; i < 60; i++) {
          const at = new Date();
          const busy = await byRuntime(prometheus.url, 'sum by (runtime) (cqrs_busy_workers)', at);
          if (pooled.every((name) => wanted(name, busy.get(name) ?? -1))) return at;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('Prometheus never scraped the requests held in flight');
      };
      const hold = (name: string, ms: number) => call(runtimes.get(name as RuntimeName)!.url, 'GET', `/debug/sleep/${ms}`);
      // One request held on each pool: one fork child busy, one uws thread busy. Then a second: both fork children
      // (one request each); on uws the kernel may give it to either thread, so its figure is read from the raw series.
      const held = pooled.map((name) => hold(name, 8_000));
      const one = await scrapedBusy((_, busy) => busy === 1);
      held.push(...pooled.map((name) => hold(name, 5_000)));
      const two = await scrapedBusy((name, busy) => (name === 'fork' ? busy === 2 : busy >= 1));
      for (const [at, forkBusy] of [[one, 1], [two, 2]] as const) {
        const [busy, idle, total, utilisation] = await Promise.all([0, 1, 2].map((i) => byRuntime(prometheus.url, expr('cqrs-pools', 'Busy, idle and total workers', i), at))
          .concat(byRuntime(prometheus.url, expr('cqrs-pools', 'Worker utilisation'), at)));
        const rawBusy = await byRuntime(prometheus.url, 'sum by (runtime) (cqrs_busy_workers)', at);
        const rawTotal = await byRuntime(prometheus.url, 'sum by (runtime) (cqrs_total_workers)', at);
        expect([...total!.keys()].sort()).to.deep.equal(['fork', 'uws']);
        expect(busy!.get('fork'), `fork busy with ${forkBusy} held`).to.equal(forkBusy);
        for (const name of pooled) {
          expect(total!.get(name), `${name} total`).to.equal(2);
          expect(rawTotal.get(name), `${name} total (raw)`).to.equal(2);
          expect(busy!.get(name), `${name} busy`).to.equal(rawBusy.get(name));
          expect(idle!.get(name), `${name} idle = total − busy`).to.equal(2 - rawBusy.get(name)!);
          expect(utilisation!.get(name), `${name} utilisation with ${rawBusy.get(name)} of 2 busy`).to.equal(100 * rawBusy.get(name)! / 2);
        }
      }
      expect((await Promise.all(held)).map((a) => a.status)).to.deep.equal([200, 200, 200, 200]);
    });

    it('the writes show as events applied, inline and by the projector', async () => {
      const samples = await instant(prometheus.url, expr('cqrs-data', 'Events applied per second', 1));
      const applied = (path: string) => samples.filter((s) => s.metric.path === path).reduce((sum, s) => sum + Number(s.value[1]), 0);
      expect(applied('inline'), 'inline').to.be.greaterThan(0);
      expect(applied('catch-up'), 'catch-up').to.be.greaterThan(0);
    });

    it('requests per worker: every fork child and uws worker served some', async () => {
      const samples = await instant(prometheus.url, expr('cqrs-pools', 'Requests per second, per worker'));
      const workers = samples.filter((s) => Number(s.value[1]) > 0).map((s) => `${s.metric.runtime} ${s.metric.worker}`).sort();
      expect(workers).to.include.members(['fork child-1', 'fork child-2', 'uws worker-1', 'uws worker-2']);
    });

    it('CPU is counted once per process: uws threads do not repeat their process\'s CPU', async () => {
      const series = await instant(prometheus.url, 'process_cpu_seconds_total{runtime="uws"}');
      expect(series.map((s) => s.metric.worker)).to.deep.equal(['main']);
    });
    describe('the Data stores dashboard', () => {
      const values = async (panel: string, legend = 0) => (await instant(prometheus.url, expr('cqrs-stores', panel, legend))).map((s) => ({ labels: s.metric, value: Number(s.value[1]) }));
      const one = async (panel: string, legend = 0) => {
        const found = await values(panel, legend);
        expect(found, panel).to.have.length(1);
        return found[0]!.value;
      };

      it('the writes show as MariaDB commits and fsyncs', async () => {
        expect(await one('Commits per second', 0), 'COMMIT statements').to.be.greaterThan(0);
        expect(await one('Commits per second', 1), 'storage-engine commits').to.be.greaterThan(0);
        expect(await one('InnoDB fsyncs and log writes per second', 0), 'fsyncs').to.be.greaterThan(0);
        expect(await one('InnoDB fsyncs and log writes per second', 1), 'redo log writes').to.be.greaterThan(0);
      });

      it('the row held for a second shows as a row-lock wait and time waited', async () => {
        expect(await one('Row-lock waits per second', 0)).to.be.greaterThan(0);
        expect(await one('Row-lock time waited per second', 0)).to.be.greaterThan(0);
      });

      it('threads running at least the scrape\'s own; buffer-pool hit ratio within 0–1', async () => {
        expect(await one('Threads running', 0)).to.be.at.least(1);
        expect(await one('Threads running', 1), 'connected ≥ running').to.be.at.least(await one('Threads running', 0));
        const hit = await one('Buffer-pool hit ratio');
        expect(hit).to.be.within(0, 1);
      });

      it('the runtimes\' Redis reads show by command, with a latency for every command seen', async () => {
        const rates = await values('Redis commands per second, by command');
        const busy = rates.filter((r) => r.value > 0).map((r) => r.labels.cmd);
        expect(busy).to.include('hget');
        const latency = new Map((await values('Redis command latency, by command')).map((r) => [r.labels.cmd, r.value]));
        for (const cmd of busy) expect(latency.get(cmd), `${cmd} in ${JSON.stringify([...latency])}`).to.be.within(0, 1);
        expect(latency.get('hget'), 'hget').to.be.greaterThan(0);
      });

      it('Redis memory, clients and the test database\'s keys', async () => {
        expect(await one('Redis memory used')).to.be.greaterThan(0);
        expect(await one('Redis connected clients'), 'the runtimes\' connections at least').to.be.at.least(3);
        const db = `db${new URL(app.config.redisUrl).pathname.replace(/^\//, '') || '0'}`;
        const keys = await values('Redis keys, by database');
        expect(keys.find((k) => k.labels.db === db)?.value, `${db} in ${JSON.stringify(keys)}`).to.be.greaterThan(0);
        expect(await one('Redis keys')).to.be.at.least(keys.find((k) => k.labels.db === db)!.value);
      });

      it('outbox backlog per runtime, and visibility lag p50 ≤ p99 on both paths', async () => {
        const backlog = new Map((await values('Outbox backlog (events)')).map((r) => [r.labels.runtime, r.value]));
        expect([...backlog.keys()].sort()).to.deep.equal([...RUNTIME_NAMES].sort());
        for (const [runtime, events] of backlog) expect(events, runtime).to.be.at.least(0);
        const [p50, p99] = await Promise.all(['Visibility lag p50, by path', 'Visibility lag p99, by path'].map(async (panel) =>
          new Map((await values(panel)).map((r) => [r.labels.path, r.value]))));
        expect([...p50!.keys()].sort()).to.deep.equal(['catch-up', 'inline']);
        for (const path of ['inline', 'catch-up']) {
          expect(p50!.get(path), `${path} p50`).to.be.greaterThan(0);
          expect(p50!.get(path)!, `${path} p50 ≤ p99`).to.be.at.most(p99!.get(path)!);
        }
      });
    });
  });
});
