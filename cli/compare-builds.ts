// `make compare-builds BASE=<revision>`: the working tree's build against another commit's, the same runtime
// and request measured in turns, e.g. to show a refactoring of the request path costs nothing. `--command
// products/create` (COMMAND=) measures a command instead of a GET: the write cells' request from
// bench/scenarios.json, each with its own name and Idempotency-Key.
import { parseArgs } from 'node:util';
import { checkoutBuild, compareBuilds, createRequests, loadScenarios, selectDriver, type LoadRequest } from '../bench/index.js';
import { isRuntimeName } from '../runtimes/launcher.js';
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
      // The runtime's environment for both builds, e.g. --env FORK_PERSISTENT=1 (repeatable).
      env: { type: 'string', multiple: true, default: [] },
    },
  });
  if (!isRuntimeName(values.runtime!)) throw new Error(`--runtime: use fork, express or uws (got ${values.runtime})`);
  const driver = selectDriver();
  const base = checkoutBuild('.', values.base!, '.compare');
  const current = { label: 'working tree', root: '.' };
  const requests = values.command === undefined ? undefined : commandRequests(values.command);
  const what = requests ? `${requests[0]!.method} ${requests[0]!.path} (${values.command}, a new row each)` : `GET ${values.path}`;
  console.log(`compare-builds: ${values.runtime} ${what}, ${driver.name} ${driver.version}, ${values.connections} connections, ${values.rounds} rounds of ${values.duration} s each, builds in turns`);
  const rounds = await compareBuilds({
    builds: [base, current], runtime: values.runtime, paths: [values.path!], ...(requests && { requests }), driver,
    env: Object.fromEntries(values.env!.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`--env: use NAME=value (got ${pair})`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    })),
    connections: Number(values.connections), durationSec: Number(values.duration), warmupSec: 2, rounds: Number(values.rounds),
    onRun: (round, build, run) => console.log(`  round ${round}: ${build.label.padEnd(24)} ${Math.round(run.rps).toLocaleString('en')} req/s, ${run.cpuUsPerRequest.toFixed(1)} µs CPU a request`),
  });
  const of = (round: (typeof rounds)[number], label: string) => round.runs[label]!;
  const rpsRatios = rounds.map((r) => of(r, current.label).rps / of(r, base.label).rps);
  const cpuRatios = rounds.map((r) => of(r, current.label).cpuUsPerRequest / of(r, base.label).cpuUsPerRequest);
  console.log(`\n| round | ${base.label} req/s | working tree req/s | ratio | ${base.label} CPU µs/req | working tree CPU µs/req | ratio |\n|---:|---:|---:|---:|---:|---:|---:|`);
  for (const [i, r] of rounds.entries()) {
    const [b, c] = [of(r, base.label), of(r, current.label)];
    console.log(`| ${r.round} | ${Math.round(b.rps).toLocaleString('en')} | ${Math.round(c.rps).toLocaleString('en')} | ${rpsRatios[i]!.toFixed(3)} | ${b.cpuUsPerRequest.toFixed(1)} | ${c.cpuUsPerRequest.toFixed(1)} | ${cpuRatios[i]!.toFixed(3)} |`);
  }
  const summary = (values: readonly number[]) => `median ${median(values).toFixed(3)} (min ${Math.min(...values).toFixed(3)}, max ${Math.max(...values).toFixed(3)})`;
  console.log(`\nworking tree ÷ ${base.label}: req/s ${summary(rpsRatios)}; CPU per request ${summary(cpuRatios)} (below 1: cheaper)`);
});
