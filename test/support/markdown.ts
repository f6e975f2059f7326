// Markdown as GitHub renders it, for the documentation tests: the anchors its headings get and the relative links
// it holds. Fenced code blocks and inline code are not Markdown to GitHub, so neither headings nor links are read
// from them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';

/** Indexes of the lines outside fenced code blocks (``` or ~~~). */
function proseIndexes(lines: readonly string[]): number[] {
  const indexes: number[] = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
    } else if (marker) {
      fence = marker;
    } else {
      indexes.push(index);
    }
  });
  return indexes;
}

/**
 * GitHub's anchor of a heading (its github-slugger rule): the text as rendered (a link's label, no inline markup),
 * lower case, every character but letters, marks, digits, `_`, `-` and spaces dropped, spaces turned into hyphens.
 */
export function headingAnchor(heading: string): string {
  const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** Every anchor the headings of `markdown` get; a repeated heading gets `-1`, `-2`, … as on GitHub. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const lines = markdown.split('\n');
  for (const line of proseIndexes(lines).map((index) => lines[index]!)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = headingAnchor(heading);
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n += 1) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

export interface MarkdownLink {
  /** 1-based line of the link in its file. */
  readonly line: number;
  /** The target as written, without a title: `docs/api.md#errors`, `#known-limits`, `https://…`. */
  readonly target: string;
}

/** Inline links and images (`[text](target)`, `![alt](target)`) outside code; a label may run over lines. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const lines = markdown.split('\n');
  const prose = new Set(proseIndexes(lines));
  // Code blocks blanked and code spans cut out, line breaks kept, so that an index still tells its line.
  const text = lines.map((line, index) => (prose.has(index) ? line : '')).join('\n')
    .replace(/(`+)[^`]*?\1/g, (code) => code.replace(/[^\n]/g, ''));
  const links: MarkdownLink[] = [];
  for (const match of text.matchAll(/!?\[(?:[^\]]|\\\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const start = match.index + match[0].indexOf('](');
    links.push({ line: text.slice(0, start).split('\n').length, target: match[1]! });
  }
  return links;
}

/** Whether a link target leaves the repository: a scheme (`https:`, `mailto:`) or a protocol-relative URL. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * The relative links of the Markdown file `file` (a path relative to `root`) that lead nowhere: a target path that
 * does not exist, one outside `root`, or an `#anchor` that no heading of the target Markdown file gets.
 * Also returns the Markdown files the links lead to, so that a caller can follow them.
 */
export function linkProblems(root: string, file: string): { problems: string[]; linkedMarkdown: string[] } {
  const problems: string[] = [];
  const linkedMarkdown: string[] = [];
  const text = readFileSync(join(root, file), 'utf8');
  for (const { line, target } of markdownLinks(text)) {
    if (isExternal(target)) continue;
    const at = `${file}:${line}: ${target}`;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = pathPart === '' ? file : normalize(join(dirname(file), pathPart));
    if (resolved.startsWith('..') || isAbsolute(resolved)) {
      problems.push(`${at}: leaves the repository`);
      continue;
    }
    if (!existsSync(join(root, resolved))) {
      problems.push(`${at}: no such file`);
      continue;
    }
    const isMarkdown = resolved.endsWith('.md') && statSync(join(root, resolved)).isFile();
    if (isMarkdown) linkedMarkdown.push(resolved);
    if (anchor === undefined || anchor === '') continue;
    if (!isMarkdown) continue; // a line anchor into source (#L10) is GitHub's viewer's, not a heading
    const targetText = resolved === file ? text : readFileSync(join(root, resolved), 'utf8');
    if (!headingAnchors(targetText).has(anchor)) problems.push(`${at}: no heading "${anchor}" in ${resolved}`);
  }
  return { problems, linkedMarkdown };
}
