// Loaded into a server by the bench's profiled runs (NODE_OPTIONS=--import <this file>): it runs in every process
// and worker thread (fork's children, uws's threads) without the server knowing. `--cpu-prof` would do the same
// but is refused in NODE_OPTIONS, profiles from the first line (boot, warm-up) and writes only at a clean exit,
// which uws's threads never have. Here the bench drives the window: it writes `start` into BENCH_PROFILE_CONTROL
// just before the timed load and `stop` just after; each thread then writes its V8 CPU profile into
// BENCH_PROFILE_DIR as <role>-<pid>-<thread>.cpuprofile.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

const control = process.env.BENCH_PROFILE_CONTROL;
const dir = process.env.BENCH_PROFILE_DIR;
const POLL_MS = 50;

if (control && dir) {
  const session = new Session();
  session.connect();
  let state: 'idle' | 'profiling' | 'written' = 'idle';
  const role = isMainThread ? basename(process.argv[1] ?? 'node', '.js') : 'thread';
  // A same-thread inspector session answers synchronously: no await between start/stop and the file.
  const poll = setInterval(() => {
    let command: string;
    try {
      command = readFileSync(control, 'utf8').trim();
    } catch {
      return;
    }
    if (command === 'start' && state === 'idle') {
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 500) });
      session.post('Profiler.start');
      state = 'profiling';
    } else if (command === 'stop' && state === 'profiling') {
      session.post('Profiler.stop', (err, result) => {
        if (!err) writeFileSync(join(dir, `${role}-${process.pid}-${threadId}.cpuprofile`), JSON.stringify(result.profile));
      });
      state = 'written';
      clearInterval(poll);
    }
  }, POLL_MS);
  poll.unref();
}
