// `make dashboards`: writes the provisioned dashboard JSON and the compose stack's Prometheus configuration
// from their TypeScript definitions. Both outputs are committed; a test fails when they drift from the code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardJson, DASHBOARDS, PROVISIONED_DIR } from './catalogue.js';
import { writeComposePrometheusConfig } from './PrometheusConfig.js';

const root = process.cwd();
mkdirSync(join(root, PROVISIONED_DIR), { recursive: true });
for (const { file, build } of DASHBOARDS) {
  const dashboard = build();
  writeFileSync(join(root, PROVISIONED_DIR, file), dashboardJson(dashboard));
  console.log(`dashboards: ${join(PROVISIONED_DIR, file)} (${dashboard.uid}, "${dashboard.title}")`);
}
console.log(`dashboards: ${writeComposePrometheusConfig(root)}`);
