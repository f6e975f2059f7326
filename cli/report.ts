// `make report`: RESULTS.md rendered again from a results file, measuring nothing (after a change to bench/report/,
// or to read an older run). Charts go beside the results file, as the bench writes them.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/index.js';
import { writeReport } from '../bench/report/index.js';
import { runCli } from './cli.js';

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    const { values } = parseArgs({ options: { results: { type: 'string', default: 'bench/results/full.json' }, report: { type: 'string', default: 'RESULTS.md' } } });
    const results = values.results!;
    const report = values.report!;
    if (!existsSync(results)) throw new ConfigError(`--results: no results file at ${results} (make bench writes bench/results/full.json)`);
    await writeReport(results, report);
    console.log(`report: ${report} rendered from ${results}`);
  });
}
