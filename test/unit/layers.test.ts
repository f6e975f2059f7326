import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

// The layering docs/ARCHITECTURE.md describes, held by reading the sources' imports: core knows nothing of
// HTTP frameworks or the other folders, its folders import each other without a loop, runtimes never reach
// the database or Redis layers, the bench talks to runtimes over HTTP (and never imports the CLI), and the CLI
// reaches the bench through its entry point.

const ROOT = process.cwd();

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** file (relative, without .ts) → what it imports: relative modules resolved, packages by name. */
function imports(folder: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(join(ROOT, folder))) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map(([, spec]) =>
      spec!.startsWith('.') ? relative(ROOT, normalize(join(dirname(file), spec!))).replace(/\.js$/, '') : spec!);
    graph.set(relative(ROOT, file).replace(/\.ts$/, ''), targets);
  }
  return graph;
}

/** core/http/router → core/http; core/app → core/app. */
const coreUnit = (module: string) => module.split('/').slice(0, 2).join('/');

function cycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

describe('layers', () => {
  const core = imports('core');

  it('core imports only itself, Node and its libraries (no framework, runtime, bench or CLI)', () => {
    for (const [file, targets] of core) {
      for (const target of targets) {
        expect(target, `${file} imports ${target}`).to.not.match(/^(runtimes|bench|cli|dashboards|test)\//);
        expect(target, `${file} imports ${target}`).to.not.match(/^(express|@trufflesuite\/uws-js-unofficial|uWebSockets)/);
      }
    }
  });

  it('the folders of core import each other without a loop', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, targets] of core) {
      for (const target of targets.filter((t) => t.startsWith('core/'))) {
        const [from, to] = [coreUnit(file), coreUnit(target)];
        if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    expect(cycle(edges), 'a loop between folders of core').to.equal(undefined);
    expect(edges.size, 'the graph was read').to.be.greaterThan(5);
  });

  it('runtimes reach the application through its public entry points, never the database or Redis layers', () => {
    for (const [file, targets] of imports('runtimes')) {
      for (const target of targets) expect(target, `${file} imports ${target}`).to.not.match(/^core\/(db|queries|projections|commands|redis|events|seed)\//);
    }
  });

  it('the command-line tools and the bench use core through its public entry point, core/index', () => {
    for (const folder of ['cli', 'bench']) {
      for (const [file, targets] of imports(folder)) {
        for (const target of targets.filter((t) => t.startsWith('core/'))) expect(target, `${file} imports ${target}`).to.equal('core/index');
      }
    }
  });

  it('the command-line tools use the bench through its public entry point, bench/index (the report through its own)', () => {
    let seen = 0;
    for (const [file, targets] of imports('cli')) {
      for (const target of targets.filter((t) => t.startsWith('bench/'))) {
        seen++;
        expect(target, `${file} imports ${target}`).to.match(/^bench\/(index|report\/)/);
      }
    }
    expect(seen, 'the CLI imports the bench').to.be.greaterThan(5);
  });

  it('the bench talks to runtimes over HTTP: no database, Redis, request-path or CLI module', () => {
    for (const [file, targets] of imports('bench')) {
      for (const target of targets) {
        expect(target, `${file} imports ${target}`).to.not.match(/^(cli\/|core\/(db|queries|projections|commands|redis|http|events)\/)/);
        if (target.startsWith('runtimes/')) expect(target, `${file} imports ${target}`).to.equal('runtimes/launcher');
      }
    }
  });

  it('no private member of a dependency is patched (e.g. ioredis\'s sendCommand)', () => {
    for (const folder of ['core', 'runtimes', 'bench', 'cli']) {
      for (const file of sources(join(ROOT, folder))) {
        expect(readFileSync(file, 'utf8'), relative(ROOT, file)).to.not.match(/\.sendCommand\s*=|\.prototype\.\w+\s*=/);
      }
    }
  });
});
