// `make compare-builds BASE=<revision>`: the working tree's build against another commit's, the same runtime
// and request measured in turns, e.g. to show a refactoring of the request path costs nothing. `--command
// products/create` (COMMAND=) measures a command instead of a GET: the write cells' request from
// bench/scenarios.json, each with its own name and Idempotency-Key, each build on a database of its own made by
// its own migrations (cli/BuildStores.ts), so a base from before a schema change can be measured too.
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkoutBuild, compareBuilds, createRequests, loadScenarios, selectDriver, type Build, type ComparisonRound, type Driver, type LoadRequest } from '../bench/index.js';
import { loadConfig } from '../core/index.js';
import { isRuntimeName, type RuntimeName } from '../runtimes/launcher.js';
import { createBuildStores, type BuildStores } from './BuildStores.js';
import { runCli } from './cli.js';

/** A create command's request (the ones that need no seeded ids: an order names a customer and products). */
function commandRequests(command: string): LoadRequest[] {
  const creatable = ['products/create', 'customers/create'];
  if (!creatable.includes(command)) throw new Error(`--command: use ${creatable.join(' or ')} (got ${command})`);
  const entity = command.split('/')[0] as 'products' | 'customers';
  return createRequests(loadScenarios(), entity, new Map(), 1);
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: 'HEAD' },
      runtime: { type: 'string', default: 'uws' },
      path: { type: 'string', default: '/en/products/projection/1' },
      command: { type: 'string' },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      // With --command products/create: the write floor as a third contender (the transaction alone, no framework).
      floor: { type: 'boolean', default: false },
      // The runtime's environment for both builds, e.g. --env FORK_PERSISTENT=1 (repeatable).
      env: { type: 'string', multiple: true, default: [] },
    },
  });
  if (!isRuntimeName(values.runtime!)) throw new Error(`--runtime: use fork, express or uws (got ${values.runtime})`);
  const driver = selectDriver();
  const checkedOut = checkoutBuild('.', values.base!, '.compare');
  const requests = values.command === undefined ? undefined : commandRequests(values.command);
  if (values.floor && values.command !== 'products/create') throw new Error('--floor: the write floor answers --command products/create only');
  const stores: BuildStores[] = [];
  try {
    const ownStores = async (root: string, slug: string) => {
      if (!requests) return {};
      const created = await createBuildStores(loadConfig(), root, slug);
      stores.push(created);
      return { env: created.env };
    };
    const base = { ...checkedOut, ...await ownStores(checkedOut.root, basename(checkedOut.root)) };
    const current = { label: 'working tree', root: '.', ...await ownStores('.', 'tree') };
    // The write floor (bench/floors/write.ts) on the working tree's database: what the bare transaction reaches.
    const floor = values.floor ? [{ ...current, label: 'write floor', script: join('dist', 'bench', 'floors', 'write.js') }] : [];
    if (requests) console.log(`compare-builds: each build writes to a database of its own, made by its own migrations (${stores.map((s) => s.database).join(', ')}; removed at the end)`);
    await compare({ ...values, runtime: values.runtime, path: values.path!, rounds: values.rounds!, duration: values.duration!, connections: values.connections!, env: values.env! }, driver, [base, current, ...floor], requests);
  } finally {
    for (const created of stores) await created.remove();
  }
});

interface CompareOptions {
  readonly runtime: RuntimeName;
  readonly path: string;
  readonly command?: string | undefined;
  readonly rounds: string;
  readonly duration: string;
  readonly connections: string;
  readonly env: string[];
}

async function compare(values: CompareOptions, driver: Driver, builds: readonly Build[], requests: LoadRequest[] | undefined): Promise<void> {
  const what = requests ? `${requests[0]!.method} ${requests[0]!.path} (${values.command}, a new row each)` : `GET ${values.path}`;
  console.log(`compare-builds: ${values.runtime} ${what}, ${driver.name} ${driver.version}, ${values.connections} connections, ${values.rounds} rounds of ${values.duration} s each, builds in turns`);
  const rounds = await compareBuilds({
    builds, runtime: values.runtime, paths: [values.path], ...(requests && { requests }), driver,
    env: Object.fromEntries(values.env.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`--env: use NAME=value (got ${pair})`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    })),
    connections: Number(values.connections), durationSec: Number(values.duration), warmupSec: 2, rounds: Number(values.rounds),
    onRun: (round, build, run) => console.log(`  round ${round}: ${build.label.padEnd(24)} ${Math.round(run.rps).toLocaleString('en')} req/s, ${run.cpuUsPerRequest.toFixed(1)} µs CPU a request`),
  });
  // Every build against the first (the base), round by round.
  const [base, ...others] = builds as [Build, ...Build[]];
  const of = (round: ComparisonRound, build: Build) => round.runs[build.label]!;
  const ratios = others.map((build) => ({
    build,
    rps: rounds.map((r) => of(r, build).rps / of(r, base).rps),
    cpu: rounds.map((r) => of(r, build).cpuUsPerRequest / of(r, base).cpuUsPerRequest),
  }));
  const header = builds.map((b) => `${b.label} req/s`).concat(others.map((b) => `${b.label} ÷ base`), builds.map((b) => `${b.label} CPU µs/req`));
  console.log(`\n| round | ${header.join(' | ')} |\n|---:|${header.map(() => '---:|').join('')}`);
  for (const [i, r] of rounds.entries()) {
    const cells = [
      ...builds.map((b) => Math.round(of(r, b).rps).toLocaleString('en')),
      ...ratios.map((ratio) => ratio.rps[i]!.toFixed(3)),
      ...builds.map((b) => of(r, b).cpuUsPerRequest.toFixed(1)),
    ];
    console.log(`| ${r.round} | ${cells.join(' | ')} |`);
  }
  const summary = (values: readonly number[]) => `median ${median(values).toFixed(3)} (min ${Math.min(...values).toFixed(3)}, max ${Math.max(...values).toFixed(3)})`;
  console.log('');
  for (const ratio of ratios) console.log(`${ratio.build.label} ÷ ${base.label}: req/s ${summary(ratio.rps)}; CPU per request ${summary(ratio.cpu)} (below 1: cheaper)`);
}
