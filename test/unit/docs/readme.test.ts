import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { REPOSITORY_ROOT } from '../../support/hostileCorpus.js';

// README.md is the door: short, its prose wrapped, the two commands .ci/run and users depend on, the markers of the
// block `make report` writes, and one line for every page under docs/.

const README = readFileSync(`${REPOSITORY_ROOT}README.md`, 'utf8');
const LINES = README.replace(/\n$/, '').split('\n');

/** The lines of the section under the `## heading`, up to the next `## `. */
function section(heading: string): string[] {
  const start = LINES.indexOf(`## ${heading}`);
  expect(start, `README has no "## ${heading}"`).to.be.at.least(0);
  const end = LINES.findIndex((line, i) => i > start && line.startsWith('## '));
  return LINES.slice(start + 1, end === -1 ? undefined : end);
}

describe('README.md', () => {
  it('holds at most 200 lines', () => {
    expect(LINES.length).to.be.at.most(200);
  });

  it('wraps its prose at 120 characters (tables and code blocks aside)', () => {
    let inFence = false;
    const long: string[] = [];
    LINES.forEach((line, i) => {
      if (/^\s*```/.test(line)) inFence = !inFence;
      else if (!inFence && !line.startsWith('|') && [...line].length > 120) long.push(`${i + 1}: ${line.slice(0, 40)}…`);
    });
    expect(long).to.deep.equal([]);
  });

  it('keeps the two commands: make bench, the main job, and make test, which .ci/run runs', () => {
    const rows = section('Two commands').filter((line) => line.startsWith('|'));
    expect(rows.some((row) => row.includes('**the main job**') && row.endsWith('| `make bench` |')), 'make bench row').to.equal(true);
    expect(rows.some((row) => row.startsWith('| every test') && row.endsWith('| `make test` |')), 'make test row').to.equal(true);
    expect(readFileSync(`${REPOSITORY_ROOT}.ci/run`, 'utf8')).to.match(/^make test\b/m);
  });

  it('holds the generated findings block once, after the first paragraph and before the first section', () => {
    const start = LINES.indexOf('<!-- findings:start -->');
    const end = LINES.indexOf('<!-- findings:end -->');
    expect([LINES.lastIndexOf('<!-- findings:start -->'), LINES.lastIndexOf('<!-- findings:end -->')]).to.deep.equal([start, end]);
    expect(start, 'findings:start').to.be.above(LINES.findIndex((line) => line.trim() !== '' && !line.startsWith('#')));
    expect(end).to.be.above(start);
    expect(end, 'the block ends before the first section').to.be.below(LINES.findIndex((line) => line.startsWith('## ')));
  });

  it('lists every page under docs/ on one line of its Documentation table', () => {
    const rows = section('Documentation').filter((line) => line.startsWith('| ['));
    const listed = rows.map((row) => /^\| \[[^\]]+\]\(([^)#]+)\)/.exec(row)?.[1]);
    const pages = readdirSync(`${REPOSITORY_ROOT}docs`).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
    expect(pages.length).to.be.at.least(8);
    for (const page of pages) expect(listed.filter((target) => target === page), page).to.have.length(1);
  });
});
