import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPOSITORY_ROOT } from '../../support/hostileCorpus.js';
import { headingAnchor, headingAnchors, linkProblems, markdownLinks } from '../../support/markdown.js';

// Every relative link of the documentation leads somewhere: README.md, RESULTS.md, every Markdown file under docs/,
// and every Markdown file those link to (followed to the end), each link's file existing and its #anchor a heading
// of the target as GitHub names it.

/** Markdown files under `dir` (relative to the repository root), recursively. */
function markdownUnder(dir: string): string[] {
  return readdirSync(join(REPOSITORY_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** Link problems of `roots` and of every Markdown file reached from them; `checked` gets the files read. */
function problemsFrom(root: string, roots: readonly string[], checked: Set<string>): string[] {
  const pending = [...roots];
  const problems: string[] = [];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (checked.has(file)) continue;
    checked.add(file);
    const result = linkProblems(root, file);
    problems.push(...result.problems);
    pending.push(...result.linkedMarkdown);
  }
  return problems;
}

describe('documentation links', () => {
  it('every relative link of README.md, RESULTS.md, docs/ and what they link to resolves (file and heading)', () => {
    const checked = new Set<string>();
    const problems = problemsFrom(REPOSITORY_ROOT, ['README.md', 'RESULTS.md', ...markdownUnder('docs')], checked);
    expect(problems).to.deep.equal([]);
    expect([...checked]).to.include.members(['README.md', 'RESULTS.md', 'docs/api.md', 'docs/operations.md', 'dashboards/README.md']);
  });

  describe('the checker', () => {
    let dir: string;
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'links-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('names a missing file, a missing heading, a link out of the repository; follows Markdown links', () => {
      write('README.md', [
        '# Title', '',
        '[ok](docs/a.md#known-limits) [self](#title) [dir](docs) [missing](docs/nope.md)',
        '[bad anchor](docs/a.md#no-such-heading) [out](../elsewhere.md) [web](https://example.com/x#y)',
        '`[in code](nope.md)`', '```', '[in a fence](nope.md)', '```',
      ].join('\n'));
      write('docs/a.md', '# A\n\n## Known limits\n\n[back](../README.md#title) [broken](b.md)\n');
      const checked = new Set<string>();
      expect(problemsFrom(dir, ['README.md'], checked)).to.deep.equal([
        'README.md:3: docs/nope.md: no such file',
        'README.md:4: docs/a.md#no-such-heading: no heading "no-such-heading" in docs/a.md',
        'README.md:4: ../elsewhere.md: leaves the repository',
        'docs/a.md:5: b.md: no such file',
      ]);
      expect([...checked].sort()).to.deep.equal(['README.md', 'docs/a.md']);
    });
  });

  describe("GitHub's heading anchors", () => {
    it('drops punctuation and markup, keeps letters, digits, _ and -, turns spaces into hyphens', () => {
      expect(headingAnchor("The original demo's slow Redis reads")).to.equal('the-original-demos-slow-redis-reads');
      expect(headingAnchor('What `make bench` runs')).to.equal('what-make-bench-runs');
      expect(headingAnchor('Writes: what limits a command, and when the read model sees it')).to.equal('writes-what-limits-a-command-and-when-the-read-model-sees-it');
      expect(headingAnchor('Observe: Prometheus, exporters and Grafana')).to.equal('observe-prometheus-exporters-and-grafana');
      expect(headingAnchor('The read model\'s recovery (RTO)')).to.equal('the-read-models-recovery-rto');
      expect(headingAnchor('cqrs_http [docs](x.md) × 2')).to.equal('cqrs_http-docs--2');
    });
    it('numbers a repeated heading, and ignores headings in code blocks', () => {
      expect([...headingAnchors('# A\n## A\n```\n# B\n```\n### A\n')]).to.deep.equal(['a', 'a-1', 'a-2']);
    });
    it('reads inline links and images outside code, with or without a title', () => {
      expect(markdownLinks('[a](x.md) ![b](c.svg "title") `[d](e.md)`\n').map((l) => l.target)).to.deep.equal(['x.md', 'c.svg']);
      expect(markdownLinks('one\n\n[a label over\ntwo lines](y.md#z)\n```\n[f](g.md)\n```\n')).to.deep.equal([{ line: 4, target: 'y.md#z' }]);
    });
  });
});
