// Writes RESULTS.md and its charts from a results file (bench/results/*.json).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { READABLE_SCHEMAS, type BenchResults } from '../results.js';
import { renderReport } from './markdown.js';

export { renderReport } from './markdown.js';

/**
 * `chartsDir` is relative to the markdown's folder (as the links are), or absolute; by default `charts/` beside the
 * results file. The markdown names the results file relative to its own folder too, so the links work wherever
 * the checkout lives.
 */
export async function writeReport(resultsPath: string, markdownPath: string, chartsDir?: string): Promise<void> {
  const results = parseResults(await readFile(resultsPath, 'utf8'), resultsPath);
  const markdownDir = dirname(resolve(markdownPath));
  const chartsPath = chartsDir === undefined ? join(dirname(resolve(resultsPath)), 'charts') : isAbsolute(chartsDir) ? chartsDir : join(markdownDir, chartsDir);
  const { markdown, charts } = renderReport(results, {
    chartsDir: toLink(relative(markdownDir, chartsPath)),
    resultsFile: toLink(relative(markdownDir, resolve(resultsPath))),
  });
  await mkdir(chartsPath, { recursive: true });
  for (const [file, svg] of Object.entries(charts)) await writeFile(join(chartsPath, file), svg);
  await writeFile(markdownPath, markdown);
}

function parseResults(text: string, path: string): BenchResults {
  const value = JSON.parse(text) as Partial<BenchResults> | null;
  if (!value || !READABLE_SCHEMAS.includes(value.schema as number) || !Array.isArray(value.cells)) {
    throw new Error(`${path} is not a results file of schema ${READABLE_SCHEMAS.join(' or ')} (bench/results.ts)`);
  }
  return value as BenchResults;
}

function toLink(path: string): string {
  return path.split(sep).join('/');
}
