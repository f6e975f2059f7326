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
    expect(uids).to.deep.equal(['cqrs-runtimes', 'cqrs-pools', 'cqrs-data', 'cqrs-load']);
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
});
