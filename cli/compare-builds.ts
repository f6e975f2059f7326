// `make compare-builds BASE=<revision>`: the working tree's build against another commit's, the same runtime
// and request measured in turns, e.g. to show a refactoring of the request path costs nothing.
import { parseArgs } from 'node:util';
import { checkoutBuild, compareBuilds } from '../bench/BuildComparison.js';
import { selectDriver } from '../bench/drivers/index.js';
import { isRuntimeName } from '../runtimes/launcher.js';
import { runCli } from './cli.js';

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: 'HEAD' },
      runtime: { type: 'string', default: 'uws' },
      path: { type: 'string', default: '/en/products/projection/1' },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
    },
  });
  if (!isRuntimeName(values.runtime!)) throw new Error(`--runtime: use fork, express or uws (got ${values.runtime})`);
  const driver = selectDriver();
  const base = checkoutBuild('.', values.base!, '.compare');
  const current = { label: 'working tree', root: '.' };
  console.log(`compare-builds: ${values.runtime} GET ${values.path}, ${driver.name} ${driver.version}, ${values.connections} connections, ${values.rounds} rounds of ${values.duration} s each, builds in turns`);
  const rounds = await compareBuilds({
    builds: [base, current], runtime: values.runtime, paths: [values.path!], driver,
    connections: Number(values.connections), durationSec: Number(values.duration), warmupSec: 2, rounds: Number(values.rounds),
    onRun: (round, build, rps) => console.log(`  round ${round}: ${build.label.padEnd(24)} ${Math.round(rps).toLocaleString('en')} req/s`),
  });
  const ratios = rounds.map((r) => r.rps[current.label]! / r.rps[base.label]!);
  console.log(`\n| round | ${base.label} req/s | working tree req/s | ratio |\n|---:|---:|---:|---:|`);
  for (const [i, r] of rounds.entries()) {
    console.log(`| ${r.round} | ${Math.round(r.rps[base.label]!).toLocaleString('en')} | ${Math.round(r.rps[current.label]!).toLocaleString('en')} | ${ratios[i]!.toFixed(3)} |`);
  }
  console.log(`\nworking tree ÷ ${base.label}: median ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`);
});
