// Writes a results file's report beside it: RESULTS.md (or the file named), the details file and the findings
// (`<results>.DETAILS.md`, `<results>.findings.json`: bench/results/full.json → full.DETAILS.md, full.findings.json),
// the charts (`charts/` beside the results by default) and, when asked, README's generated block.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { READABLE_SCHEMAS, type BenchResults } from '../results.js';
import { renderReport, withReadmeBlock } from './render.js';

export { renderReport } from './render.js';

/** README.md, whose generated block goes with the root RESULTS.md; none for any other report. */
export function readmeOf(report: string): string | undefined {
  return report === 'RESULTS.md' ? 'README.md' : undefined;
}

/** The details and findings files of a results file. */
export function reportFiles(resultsPath: string): { details: string; findings: string } {
  const stem = join(dirname(resultsPath), basename(resultsPath).replace(/\.json$/, ''));
  return { details: `${stem}.DETAILS.md`, findings: `${stem}.findings.json` };
}

/**
 * `chartsDir` is relative to the markdown's folder (as the links are), or absolute; by default `charts/` beside the
 * results file. Every file names the others relative to its own folder, so the links work wherever the checkout lives.
 */
export async function writeReport(resultsPath: string, markdownPath: string, chartsDir?: string, readmePath?: string): Promise<void> {
  const results = parseResults(await readFile(resultsPath, 'utf8'), resultsPath);
  const markdownDir = dirname(resolve(markdownPath));
  const chartsPath = chartsDir === undefined ? join(dirname(resolve(resultsPath)), 'charts') : isAbsolute(chartsDir) ? chartsDir : join(markdownDir, chartsDir);
  const files = reportFiles(resolve(resultsPath));
  const detailsDir = dirname(files.details);
  const from = (dir: string, path: string) => toLink(relative(dir, path));
  const rendered = renderReport(results, {
    chartsDir: from(detailsDir, chartsPath),
    resultsFile: from(detailsDir, resolve(resultsPath)),
    summary: {
      chartsDir: from(markdownDir, chartsPath), details: from(markdownDir, files.details), findings: from(markdownDir, files.findings),
      results: from(markdownDir, resolve(resultsPath)), resultsMd: readmePath ? from(dirname(resolve(readmePath)), resolve(markdownPath)) : basename(markdownPath),
    },
  });
  await mkdir(chartsPath, { recursive: true });
  for (const [file, svg] of Object.entries(rendered.charts)) await writeFile(join(chartsPath, file), svg);
  await writeFile(markdownPath, rendered.summary);
  await writeFile(files.details, rendered.details);
  await writeFile(files.findings, rendered.findingsJson);
  if (readmePath) await writeFile(readmePath, withReadmeBlock(await readFile(readmePath, 'utf8'), rendered.readme));
}

export function parseResults(text: string, path: string): BenchResults {
  const value = JSON.parse(text) as Partial<BenchResults> | null;
  if (!value || !READABLE_SCHEMAS.includes(value.schema as number) || !Array.isArray(value.cells)) {
    throw new Error(`${path} is not a results file of schema ${READABLE_SCHEMAS.join(' or ')} (bench/results.ts)`);
  }
  return value as BenchResults;
}

function toLink(path: string): string {
  return path.split(sep).join('/');
}
