// How `make k6-*` runs k6: the command line, native or in Docker, that streams the run to Prometheus by remote
// write, tagged so a dashboard can tell the runs apart. Pure: loadtest.ts spawns what this returns.
import { basename, dirname } from 'node:path';
import type { ObserveSettings } from '../../core/index.js';
import type { RuntimeName } from '../../runtimes/launcher.js';
import type { EntityName, Operation, Source } from '../results.js';

export type K6Driver = 'k6' | 'docker';

export const K6_IMAGE = 'grafana/k6';
/** k6's output that writes to Prometheus's /api/v1/write (Prometheus needs --web.enable-remote-write-receiver). */
export const K6_REMOTE_WRITE_OUTPUT = 'experimental-prometheus-rw';
/** Stats k6 writes for each trend: k6_http_req_duration_p50, _p95, _p99, _avg, _max (seconds). */
export const K6_TREND_STATS = 'p(50),p(95),p(99),avg,max';
/** k6 pushes every 5 s by default; runs here last seconds, so push often enough to draw a curve. */
export const K6_PUSH_INTERVAL = '1s';

export interface K6Run {
  driver: K6Driver;
  runtime: RuntimeName;
  entity: EntityName;
  source: Source;
  operation: Operation;
  /** Where the runtime under test listens, e.g. http://127.0.0.1:41234. */
  baseUrl: string;
  /** Concurrent connections (k6 VUs) when not the scenario's default for the operation. */
  connections?: number;
  quick: boolean;
  /** One id per `make k6-*` invocation, shared by its get and list runs (k6 tag `testid`). */
  testId: string;
  /** Absolute path of bench/k6/scenario.js; Docker mounts its bench/ folder. */
  script: string;
  observe: Pick<ObserveSettings, 'prometheusUrl'>;
  /** The caller's environment: K6_PROMETHEUS_RW_* variables already set there win over ours. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface K6Command {
  command: string;
  args: string[];
  /** Variables to add to the spawned process's environment (Docker gets them as -e instead). */
  env: Record<string, string>;
}

/** The remote-write settings k6 reads from its environment. */
export function remoteWriteEnv(observe: Pick<ObserveSettings, 'prometheusUrl'>, env: K6Run['env']): Record<string, string> {
  const ours: Record<string, string> = {
    K6_PROMETHEUS_RW_SERVER_URL: `${observe.prometheusUrl}/api/v1/write`,
    K6_PROMETHEUS_RW_TREND_STATS: K6_TREND_STATS,
    K6_PROMETHEUS_RW_PUSH_INTERVAL: K6_PUSH_INTERVAL,
    // Without stale markers a finished run's last values stay on the graphs for 5 minutes.
    K6_PROMETHEUS_RW_STALE_MARKERS: 'true',
  };
  return Object.fromEntries(Object.entries(ours).map(([name, value]) => [name, env[name] || value]));
}

/** k6 tags (--tag) put on every series of the run, as Prometheus labels. */
export function k6Tags(run: Pick<K6Run, 'runtime' | 'entity' | 'source' | 'operation' | 'testId'>): Record<string, string> {
  return { testid: run.testId, runtime: run.runtime, entity: run.entity, source: run.source, operation: run.operation };
}

export function k6Command(run: K6Run): K6Command {
  const scriptEnv = {
    BASE_URL: run.baseUrl, ENTITY: run.entity, SOURCE: run.source, OPERATION: run.operation,
    ...(run.connections !== undefined ? { CONNECTIONS: String(run.connections) } : {}), ...(run.quick ? { QUICK: '1' } : {}),
  };
  const k6Args = [
    'run',
    '-o', K6_REMOTE_WRITE_OUTPUT,
    ...Object.entries(k6Tags(run)).flatMap(([name, value]) => ['--tag', `${name}=${value}`]),
    ...Object.entries(scriptEnv).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
  ];
  const rwEnv = remoteWriteEnv(run.observe, run.env);
  if (run.driver === 'k6') return { command: 'k6', args: [...k6Args, run.script], env: rwEnv };
  // --network host: the container reaches the runtime and Prometheus on the host's loopback.
  return {
    command: 'docker',
    args: [
      'run', '--rm', '--network', 'host', '-v', `${dirname(dirname(run.script))}:/bench:ro`,
      ...Object.entries(rwEnv).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
      K6_IMAGE, ...k6Args, `/bench/k6/${basename(run.script)}`,
    ],
    env: {},
  };
}
