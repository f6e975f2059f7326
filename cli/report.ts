// `make report`: the report rendered again from a results file, measuring nothing (after a change to bench/report/,
// or to read an older run): RESULTS.md, beside the results file its details (`<results>.DETAILS.md`), its findings
// (`<results>.findings.json`) and its charts (`charts/`), and README.md's generated block (between
// `<!-- findings:start -->` and `<!-- findings:end -->`) when the report is RESULTS.md (or with --readme FILE).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/index.js';
import { readmeOf, writeReport } from '../bench/report/index.js';
import { runCli } from './cli.js';

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    const { values } = parseArgs({ options: { results: { type: 'string', default: 'bench/results/full.json' }, report: { type: 'string', default: 'RESULTS.md' }, readme: { type: 'string' } } });
    const results = values.results!;
    const report = values.report!;
    if (!existsSync(results)) throw new ConfigError(`--results: no results file at ${results} (make bench writes bench/results/full.json)`);
    const readme = values.readme ?? readmeOf(report);
    await writeReport(results, report, undefined, readme);
    console.log(`report: ${report} rendered from ${results}`);
  });
}
