import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardJson, DASHBOARDS, panelQueries, PROVISIONED_DIR } from '../../../dashboards/src/catalogue.js';

// The provisioned dashboards are generated from dashboards/src: the committed JSON must be what the code
// generates, so nobody edits one and forgets the other.

describe('dashboards as code', () => {
  const built = DASHBOARDS.map(({ file, build }) => ({ file, dashboard: build() }));

  for (const { file, dashboard } of built) {
    it(`${PROVISIONED_DIR}/${file} is what dashboards/src generates (run \`make dashboards\` after a change)`, () => {
      expect(readFileSync(join(PROVISIONED_DIR, file), 'utf8')).to.equal(dashboardJson(dashboard));
    });
  }

  it('the provisioned folder holds exactly the generated dashboards', () => {
    expect(readdirSync(PROVISIONED_DIR).filter((f) => f.endsWith('.json')).sort()).to.deep.equal(DASHBOARDS.map((d) => d.file).sort());
  });

  it('dashboard uids are unique, and panel ids unique within a dashboard', () => {
    const uids = built.map((b) => b.dashboard.uid);
    expect(new Set(uids).size).to.equal(uids.length);
    expect(uids).to.deep.equal(['cqrs-runtimes', 'cqrs-pools', 'cqrs-data', 'cqrs-load', 'cqrs-stores']);
    for (const { dashboard } of built) {
      const ids = (dashboard.panels ?? []).map((p) => p.id);
      expect(new Set(ids).size, dashboard.uid).to.equal(ids.length);
    }
  });

  it('live like the originals: refresh 5 s, the last 5 minutes', () => {
    for (const { dashboard } of built) {
      expect(dashboard.refresh, dashboard.uid).to.equal('5s');
      expect(dashboard.time).to.deep.equal({ from: 'now-5m', to: 'now' });
    }
  });

  it('the runtime comparison has runtime (multi), route and source variables', () => {
    const runtimes = built.find((b) => b.dashboard.uid === 'cqrs-runtimes')!.dashboard;
    const variables = runtimes.templating?.list ?? [];
    expect(variables.map((v) => v.name)).to.deep.equal(['runtime', 'route', 'source']);
    expect(variables[0]!.multi).to.equal(true);
  });

  it('panels are laid on the 24-column grid without overlapping', () => {
    for (const { dashboard } of built) {
      const cells = new Set<string>();
      for (const panel of dashboard.panels ?? []) {
        const { x, y, w, h } = panel.gridPos!;
        expect(x + w, `${dashboard.uid} / ${panel.title}`).to.be.at.most(24);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            const cell = `${i},${j}`;
            expect(cells.has(cell), `${dashboard.uid} / ${panel.title} overlaps at ${cell}`).to.equal(false);
            cells.add(cell);
          }
        }
      }
    }
  });

  it('every panel has at least one query (rows excepted)', () => {
    for (const { dashboard } of built) {
      const queried = new Set(panelQueries(dashboard).map((q) => q.panel));
      for (const panel of dashboard.panels ?? []) {
        if (panel.type === 'row') continue;
        expect(queried.has((panel as { title?: string }).title ?? ''), `${dashboard.uid} / ${(panel as { title?: string }).title}`).to.equal(true);
      }
    }
  });

  it('the Data stores dashboard: MariaDB, Redis and outbox rows, each store panel on its exporter\'s metrics, lag quantiles by path', () => {
    const stores = built.find((b) => b.dashboard.uid === 'cqrs-stores')!.dashboard;
    const rows = (stores.panels ?? []).filter((p) => p.type === 'row').map((p) => (p as { title?: string }).title);
    expect(rows).to.deep.equal(['Outbox and visibility', 'MariaDB', 'Redis']);
    const queries = panelQueries(stores);
    const panelsOf = (pattern: RegExp) => [...new Set(queries.filter((q) => pattern.test(q.expr)).map((q) => q.panel))];
    expect(panelsOf(/\bmysql_global_status_/)).to.deep.equal(['Commits per second', 'InnoDB fsyncs and log writes per second', 'Threads running',
      'Row-lock waits per second', 'Row-lock time waited per second', 'Buffer-pool hit ratio']);
    expect(panelsOf(/\bredis_/)).to.deep.equal(['Redis commands per second, by command', 'Redis command latency, by command', 'Redis memory used',
      'Redis connected clients', 'Redis keys', 'Redis memory', 'Redis clients', 'Redis keys, by database']);
    for (const p of [0.5, 0.99]) {
      const lag = queries.find((q) => q.panel === `Visibility lag p${p * 100}, by path`)!;
      expect(lag.expr).to.equal(`histogram_quantile(${p}, sum by (path, le) (rate(cqrs_projection_lag_seconds_bucket{runtime=~"$runtime"}[$__rate_interval])))`);
    }
    expect(queries.find((q) => q.panel === 'Commits per second')!.expr).to.include('command="commit"');
    expect(queries.find((q) => q.panel === 'Buffer-pool hit ratio')!.expr).to.match(/^1 - sum\(rate\(mysql_global_status_innodb_buffer_pool_reads\[.*\]\)\) \/ sum\(rate\(mysql_global_status_innodb_buffer_pool_read_requests\[/);
  });
});
