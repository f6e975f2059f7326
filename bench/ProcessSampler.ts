import { readdirSync, readFileSync } from 'node:fs';

// CPU and memory of a server's whole process tree (a fork master and its children; uws threads are in
// one process), read from /proc while a load runs. Linux only; elsewhere the figures are reported as 0.

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_KIB = 4;

interface ProcSample {
  readonly ticks: number;
  readonly rssKiB: number;
}

function readProc(pid: number): (ProcSample & { ppid: number }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const rssKiB = Number(fields[21]) * PAGE_KIB;
    return { ppid, ticks, rssKiB };
  } catch {
    return undefined; // gone between listing and reading
  }
}

function treeOf(root: number): Map<number, ProcSample> {
  const all = new Map<number, ProcSample & { ppid: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const proc = readProc(Number(entry));
    if (proc) all.set(Number(entry), proc);
  }
  const tree = new Map<number, ProcSample>();
  const visit = (pid: number) => {
    const proc = all.get(pid);
    if (!proc || tree.has(pid)) return;
    tree.set(pid, proc);
    for (const [child, p] of all) if (p.ppid === pid) visit(child);
  };
  visit(root);
  return tree;
}

export interface SamplerResult {
  /** CPU used by the tree, in % of one core. */
  readonly cpuPct: number;
  readonly peakRssMiB: number;
}

/** Samples every `intervalMs` from `start()` to `stop()`. CPU of processes that died in between is lost. */
export class ProcessSampler {
  private readonly firstTicks = new Map<number, number>();
  private readonly lastTicks = new Map<number, number>();
  private peakRssKiB = 0;
  private timer: NodeJS.Timeout | undefined;
  private started = 0;
  private readonly supported = process.platform === 'linux';

  constructor(private readonly rootPid: number, private readonly intervalMs = 200) {}

  start(): void {
    this.started = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): SamplerResult {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.started) / 1000;
    let ticks = 0;
    for (const [pid, last] of this.lastTicks) ticks += last - (this.firstTicks.get(pid) ?? last);
    return {
      cpuPct: seconds > 0 ? (ticks / CLOCK_TICKS / seconds) * 100 : 0,
      peakRssMiB: this.peakRssKiB / 1024,
    };
  }

  private sample(): void {
    if (!this.supported) return;
    let rss = 0;
    const firstSample = this.lastTicks.size === 0;
    for (const [pid, proc] of treeOf(this.rootPid)) {
      // A process first seen mid-run started within the run (a replaced fork child): all its ticks count.
      if (!this.firstTicks.has(pid)) this.firstTicks.set(pid, firstSample ? proc.ticks : 0);
      this.lastTicks.set(pid, proc.ticks);
      rss += proc.rssKiB;
    }
    this.peakRssKiB = Math.max(this.peakRssKiB, rss);
  }
}

/** CPU this process uses between `start` and the returned function's call, in % of one core. */
export function measureOwnCpu(): () => number {
  const usage = process.cpuUsage();
  const started = performance.now();
  return () => {
    const used = process.cpuUsage(usage);
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? ((used.user + used.system) / 1e6 / seconds) * 100 : 0;
  };
}
