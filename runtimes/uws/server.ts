import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Application } from '../../core/app.js';
import { loadConfig, type Config } from '../../core/config.js';
import { bindProcessLogger, consoleLogger } from '../../core/logger.js';
import { aggregateMetrics, type MetricsSnapshot } from '../../core/metrics/MetricsAggregation.js';
import { RuntimeMetrics } from '../../core/metrics/RuntimeMetrics.js';
import { BusyWorkers } from './BusyWorkers.js';
import { bootApplication } from '../shared/bootstrap.js';
import { isMain, probePort, runMain, type RunningRuntime, type StopReport } from '../shared/lifecycle.js';
import { loadNativeUws } from './native.js';
import { PendingReplies } from '../shared/PendingReplies.js';
import type { MainMessage, WorkerMessage } from './protocol.js';

// Mirrors FrankenPHP worker mode: UWS_WORKERS worker threads, each booting the application once and
// serving requests from its own uWS App on the shared port. The main thread starts and replaces workers,
// runs the projector, and aggregates the workers' metrics for /metrics. A worker that dies is replaced
// (counted in cqrs_worker_crashes_total); the requests it had in flight are lost with its connections.

const WORKER_SCRIPT = fileURLToPath(new URL('./worker.js', import.meta.url));

interface WorkerHandle {
  readonly index: number;
  readonly thread: Worker;
}

export async function startUwsRuntime(config: Config): Promise<RunningRuntime> {
  loadNativeUws(); // fail here, before starting any thread, if the native binary does not load
  const settings = config.runtimes;
  await probePort('uws', settings.host, settings.uwsPort, 'UWS_PORT');
  const metrics = new RuntimeMetrics('uws', 'main');
  const workers = new Set<WorkerHandle>();
  const busyWorkers = new BusyWorkers();
  // uWS workers take every connection the kernel gives them: there is no queue in front of them.
  const counters = metrics.watchPool(() => ({ total: workers.size, busy: busyWorkers.busy([...workers].map((w) => w.index)), queue: 0 }));
  const app: Application | undefined = settings.projector ? await bootApplication(config, metrics, { projector: true }) : undefined;
  let stopping = false;
  const drained = new Map<WorkerHandle, (stillRunning: number) => void>();
  const snapshots = new PendingReplies<MetricsSnapshot>(1_000);

  /** Every thread's metrics summed (a worker that does not answer within a second is left out). */
  async function metricsText(): Promise<{ contentType: string; body: string }> {
    const replies = await Promise.all([...workers].map((w) =>
      snapshots.ask((id) => w.thread.postMessage({ type: 'snapshot', id } satisfies MainMessage))));
    return aggregateMetrics([await metrics.snapshot(), ...replies.filter((r) => r !== undefined)]);
  }

  function spawn(index: number): Promise<void> {
    busyWorkers.reset(index);
    const thread = new Worker(WORKER_SCRIPT, { workerData: { index, busyBuffer: busyWorkers.buffer } });
    const handle: WorkerHandle = { index, thread };
    workers.add(handle);
    return new Promise((resolve, reject) => {
      thread.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'listening':
            resolve();
            break;
          case 'drained':
            drained.get(handle)?.(message.stillRunning);
            break;
          case 'listen-failed':
            reject(new Error(`uws worker ${index}: ${message.reason}`));
            break;
          case 'snapshot':
            snapshots.settle(message.id, message.snapshot);
            break;
          case 'metrics-request':
            void metricsText().then((text) => thread.postMessage({ type: 'metrics-text', id: message.id, ...text } satisfies MainMessage));
            break;
        }
      });
      thread.once('error', (err) => {
        consoleLogger.error('uws worker failed', { worker: index, err });
        reject(err);
      });
      thread.once('exit', (code) => {
        workers.delete(handle);
        if (stopping) return;
        counters.crashed();
        consoleLogger.warn('uws worker exited; replacing it', { worker: index, code });
        void spawn(index).catch((err) => consoleLogger.error('uws worker could not be replaced', { worker: index, err }));
      });
    });
  }

  /** Every worker refuses new requests, answers those in flight and closes its sockets by the deadline. */
  async function stopWorkers(deadlineMs: number): Promise<StopReport> {
    stopping = true;
    const running = await Promise.all([...workers].map((w) => new Promise<number>((resolve) => {
      drained.set(w, resolve);
      w.thread.once('exit', () => resolve(0));
      w.thread.postMessage({ type: 'shutdown', deadlineMs } satisfies MainMessage);
    })));
    return { stillRunning: running.reduce((a, b) => a + b, 0) };
  }

  const started = await Promise.allSettled(Array.from({ length: settings.uwsWorkers }, (_, i) => spawn(i + 1)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    // Threads with uWS loaded cannot be terminated while they hold sockets (see worker.ts): those that listen
    // close theirs first; the caller then exits the process.
    await stopWorkers(0);
    await app?.close();
    throw failed.reason;
  }
  consoleLogger.info('uws runtime listening', { port: settings.uwsPort, host: settings.host, workers: settings.uwsWorkers });
  return {
    port: settings.uwsPort,
    /** Workers stop listening and finish their requests; the caller then ends the process (see worker.ts). */
    async close() {
      const report = await stopWorkers(settings.shutdownDeadlineMs);
      if (report.stillRunning === 0) await app?.close();
      return report;
    },
  };
}

if (isMain(import.meta.url)) {
  bindProcessLogger({ runtime: 'uws', worker: 'main' });
  const config = loadConfig();
  await runMain('uws', () => startUwsRuntime(config), config.runtimes.shutdownDeadlineMs);
}
