// `make k6-<runtime>-<entity>-<db|redis|write>`, `make k6-<runtime>-mixed`: one load scenario (bench/loadtest.ts).
//   node dist/cli/loadtest.js fork|express|uws products|customers|orders db|redis|write [--quick]
//   node dist/cli/loadtest.js fork|express|uws mixed [--quick]
import { parseArgs } from 'node:util';
import { runLoadTest, type Source } from '../bench/index.js';
import { isEntityName } from '../core/index.js';
import { isRuntimeName } from '../runtimes/launcher.js';
import { runCli } from './cli.js';

const USAGE = 'usage: loadtest.js fork|express|uws products|customers|orders db|redis|write [--quick]\n       loadtest.js fork|express|uws mixed [--quick]';

runCli(async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false } } });
  const [runtime, entity, source] = positionals;
  if (runtime && isRuntimeName(runtime) && entity === 'mixed' && source === undefined) {
    return (await runLoadTest({ runtime, entity: 'products', source: 'redis', kind: 'mixed', quick: values.quick! })) ? 0 : 1;
  }
  if (!runtime || !isRuntimeName(runtime) || !entity || !isEntityName(entity) || !['db', 'redis', 'write'].includes(source ?? '')) {
    console.error(USAGE);
    return 64;
  }
  const kind = source === 'write' ? 'write' : 'read';
  const passed = await runLoadTest({ runtime, entity: entity!, source: kind === 'write' ? 'db' : source as Source, kind, quick: values.quick! });
  return passed ? 0 : 1;
});
