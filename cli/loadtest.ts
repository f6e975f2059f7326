// `make k6-<runtime>-<entity>-<db|redis>`: one load scenario (bench/loadtest.ts).
//   node dist/cli/loadtest.js fork|express|uws products|customers|orders db|redis [--quick]
import { parseArgs } from 'node:util';
import { runLoadTest } from '../bench/loadtest.js';
import type { Source } from '../bench/results.js';
import { isEntityName } from '../core/index.js';
import { isRuntimeName } from '../runtimes/launcher.js';
import { runCli } from './cli.js';

const USAGE = 'usage: loadtest.js fork|express|uws products|customers|orders db|redis [--quick]';

runCli(async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false } } });
  const [runtime, entity, source] = positionals;
  if (!runtime || !isRuntimeName(runtime) || !entity || !isEntityName(entity) || !['db', 'redis'].includes(source ?? '')) {
    console.error(USAGE);
    return 64;
  }
  const passed = await runLoadTest({ runtime, entity: entity!, source: source as Source, quick: values.quick! });
  return passed ? 0 : 1;
});
