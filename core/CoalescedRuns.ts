/**
 * One run of an async job at a time, shared by whoever asks while it runs. `join()` shares the run under way (or
 * starts one); `after()` promises a run that begins after the call, so it sees everything done before the call
 * (a run under way may have read its input already): at most one such run waits, shared by every caller meanwhile.
 */
export class CoalescedRuns<T> {
  private current: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly job: () => Promise<T>) {}

  join(): Promise<T> {
    return this.current ?? this.start();
  }

  after(): Promise<T> {
    if (!this.current) return this.start();
    this.queued ??= this.current.then(() => undefined, () => undefined).then(() => {
      this.queued = undefined;
      return this.join();
    });
    return this.queued;
  }

  /** Resolves when no run is under way or queued (failures swallowed: their callers got them). */
  async idle(): Promise<void> {
    while (this.current || this.queued) await (this.queued ?? this.current)!.then(() => undefined, () => undefined);
  }

  private start(): Promise<T> {
    const run = this.job().finally(() => {
      if (this.current === run) this.current = undefined;
    });
    this.current = run;
    return run;
  }
}
