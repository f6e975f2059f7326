import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(label: string, done: number, total: number): void;
  stop(): void;
}

/**
 * A bar per label on a terminal; elsewhere (CI, a pipe) one line per label at every tenth, so logs stay short.
 */
export function createProgress(): ProgressReporter {
  if (process.stderr.isTTY) {
    const multi = new cliProgress.MultiBar(
      { format: ' {label} |{bar}| {percentage}% {value}/{total} {rate}/s eta {eta_formatted}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map<string, { bar: cliProgress.SingleBar; started: number }>();
    return {
      update(label, done, total) {
        let entry = bars.get(label);
        if (!entry) bars.set(label, (entry = { bar: multi.create(total, 0, { label: label.padEnd(10), rate: 0 }), started: performance.now() }));
        const seconds = (performance.now() - entry.started) / 1000;
        entry.bar.setTotal(total);
        entry.bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds) : 0 });
      },
      stop: () => multi.stop(),
    };
  }
  const lastTenth = new Map<string, number>();
  return {
    update(label, done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (lastTenth.get(label) === tenth) return;
      lastTenth.set(label, tenth);
      process.stderr.write(`${label}: ${done}/${total} (${tenth * 10}%)\n`);
    },
    stop() {},
  };
}
