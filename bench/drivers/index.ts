import { AUTOCANNON_VERSION, runAutocannon, type LoadResult, type LoadSpec } from './autocannon.js';
import { measureOwnCpu } from '../ProcessSampler.js';
import { runWrk, wrkVersion } from './wrk.js';

export interface Driver {
  readonly name: 'autocannon' | 'wrk';
  readonly version: string;
  /** One timed load; `driverCpuPct` is the load generator's own CPU, in % of one core. */
  run(spec: LoadSpec): Promise<LoadResult & { driverCpuPct: number }>;
}

const autocannonDriver: Driver = {
  name: 'autocannon',
  version: AUTOCANNON_VERSION,
  async run(spec) {
    const ownCpu = measureOwnCpu(); // autocannon runs in this process
    const result = await runAutocannon(spec);
    return { ...result, driverCpuPct: ownCpu() };
  },
};

/**
 * LOAD_DRIVER: `auto` (default: wrk where it is installed, since autocannon saturates first on these machines,
 * else autocannon), `autocannon`, or `wrk` (fails clearly where it is not installed).
 */
export function selectDriver(env: NodeJS.ProcessEnv = process.env): Driver {
  const wanted = env.LOAD_DRIVER || 'auto';
  if (wanted === 'auto') return wrkVersion() ? selectDriver({ LOAD_DRIVER: 'wrk' }) : autocannonDriver;
  if (wanted === 'autocannon') return autocannonDriver;
  if (wanted === 'wrk') {
    const version = wrkVersion();
    if (!version) throw new Error('LOAD_DRIVER=wrk but wrk is not installed (Debian/Ubuntu: apt-get install wrk); unset LOAD_DRIVER to use autocannon');
    return { name: 'wrk', version, run: runWrk };
  }
  throw new Error(`LOAD_DRIVER=${JSON.stringify(wanted)}: use auto, autocannon or wrk`);
}
