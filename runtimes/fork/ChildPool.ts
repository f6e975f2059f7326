import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AppError, isAppError } from '../../core/errors.js';
import type { HttpRequest, HttpResponse } from '../../core/http/types.js';
import { consoleLogger } from '../../core/logger.js';
import type { MetricsSnapshot } from '../../core/metrics/MetricsAggregation.js';
import type { PoolCounters, PoolState } from '../../core/metrics/PoolMetrics.js';
import { PendingReplies } from '../shared/PendingReplies.js';
import type { ChildMessage, MasterMessage } from './protocol.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./child.js', import.meta.url));

interface Job {
  readonly id: number;
  readonly request: HttpRequest;
  readonly resolve: (response: HttpResponse) => void;
  readonly reject: (error: AppError) => void;
}

interface Child {
  readonly index: number;
  readonly process: ChildProcess;
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Reached its request quota: gets no more work and is replaced when it exits. */
  retiring: boolean;
}

export interface ChildPoolOptions {
  readonly size: number;
  readonly queueCapacity: number;
  readonly requestTimeoutMs: number;
}

/**
 * PHP-FPM's process manager, static mode: `size` children, each serving one request at a time. A request
 * waits in a FIFO queue (the listen queue) until a child is idle. The rule for a dying child: its in-flight
 * request is answered 502 (504 when it was killed for taking longer than the timeout), and a new child
 * takes its place. A child that retires after FORK_MAX_REQUESTS is replaced the same way, without error.
 */
export class ChildPool {
  private readonly children = new Set<Child>();
  private readonly queue: Job[] = [];
  private readonly metricsReplies = new PendingReplies<MetricsSnapshot>(1_000);
  private nextId = 1;
  private nextIndex = 1;
  private stopping = false;
  private drained: (() => void) | undefined;

  constructor(private readonly options: ChildPoolOptions, private readonly counters: PoolCounters) {
    counters.setQueueCapacity(options.queueCapacity);
  }

  /** Starts the children and waits until each has booted. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.options.size }, () => this.spawn()));
  }

  state(): PoolState {
    let busy = 0;
    for (const child of this.children) if (child.job) busy++;
    return { total: this.children.size, busy, queue: this.queue.length };
  }

  /** The response of the child that handled the request; rejects with an AppError when the pool could not serve it. */
  handle(request: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      if (this.stopping) {
        reject(new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down'));
        return;
      }
      const idle = this.idleChild();
      if (!idle) {
        this.counters.allBusy();
        if (this.queue.length >= this.options.queueCapacity) {
          reject(new AppError('SERVICE_UNAVAILABLE', `Every worker is busy and the queue is full (${this.options.queueCapacity} requests)`));
          return;
        }
      }
      this.queue.push({ id: this.nextId++, request, resolve, reject });
      this.counters.queueSeen(this.queue.length);
      this.dispatch();
    });
  }

  /** Every live child's metrics (a child that does not answer within a second is left out). */
  async snapshots(): Promise<MetricsSnapshot[]> {
    const waits = [...this.children].filter((c) => c.ready)
      .map((child) => this.metricsReplies.ask((id) => this.send(child, { type: 'metrics', id })));
    return (await Promise.all(waits)).filter((s): s is MetricsSnapshot => s !== undefined);
  }

  /** Stops taking requests, lets the queue and in-flight requests finish, then stops the children. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.queue.length > 0 || this.state().busy > 0) await new Promise<void>((resolve) => { this.drained = resolve; });
    const exits = [...this.children].map((child) => new Promise((resolve) => {
      if (child.process.exitCode !== null) resolve(undefined);
      else child.process.once('exit', resolve);
      this.send(child, { type: 'shutdown' });
    }));
    await Promise.all(exits);
  }

  private idleChild(): Child | undefined {
    for (const child of this.children) if (child.ready && !child.job && !child.retiring) return child;
    return undefined;
  }

  private dispatch(): void {
    for (let child = this.idleChild(); child && this.queue.length > 0; child = this.idleChild()) {
      const job = this.queue.shift()!;
      child.job = job;
      child.timer = setTimeout(() => this.timeOut(child!), this.options.requestTimeoutMs);
      const { body, ...bodiless } = job.request;
      this.send(child, { type: 'request', id: job.id, request: body.length > 0 ? job.request : bodiless });
    }
    if (this.drained && this.queue.length === 0 && this.state().busy === 0) this.drained();
  }

  private send(child: Child, message: MasterMessage): void {
    if (child.process.connected) child.process.send(message);
  }

  private spawn(): Promise<void> {
    const index = this.nextIndex++;
    const proc = fork(CHILD_SCRIPT, [], {
      serialization: 'advanced',
      env: { ...process.env, FORK_CHILD_INDEX: String(index) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child: Child = { index, process: proc, ready: false, job: undefined, timer: undefined, retiring: false };
    this.children.add(child);
    return new Promise((resolve) => {
      proc.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          child.ready = true;
          resolve();
          this.dispatch();
        } else if (message.type === 'response') {
          this.finish(child, message.id, message.response);
          if (message.retiring) child.retiring = true;
          this.dispatch();
        } else if (message.type === 'metrics') {
          this.metricsReplies.settle(message.id, message.snapshot);
        }
      });
      // The IPC channel closes as the child dies: give it no more work from then on.
      proc.once('disconnect', () => { child.ready = false; });
      proc.once('exit', (code, signal) => {
        resolve();
        this.onExit(child, code, signal);
      });
    });
  }

  /** Ends the child's job with its response, or with the pool's error (the child died or timed out). */
  private finish(child: Child, id: number, outcome: HttpResponse | AppError): void {
    const job = child.job;
    if (!job || job.id !== id) return;
    clearTimeout(child.timer);
    child.job = undefined;
    if (isAppError(outcome)) job.reject(outcome);
    else job.resolve(outcome);
  }

  private timeOut(child: Child): void {
    const job = child.job;
    if (!job) return;
    consoleLogger.warn('fork: child exceeded the request timeout; killing it', { child: child.index, path: job.request.path });
    this.finish(child, job.id, new AppError('WORKER_TIMEOUT', `The request took longer than ${this.options.requestTimeoutMs} ms; its worker was stopped`));
    child.retiring = true;
    child.process.kill('SIGKILL');
  }

  private onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    this.children.delete(child);
    const expected = this.stopping || (child.retiring && (code === 0 || signal === 'SIGKILL'));
    if (child.job) {
      this.finish(child, child.job.id, new AppError('WORKER_DIED', 'The worker process died while handling the request'));
    }
    if (this.stopping) {
      this.dispatch();
      return;
    }
    if (expected && code === 0) this.counters.restarted();
    else {
      this.counters.crashed();
      consoleLogger.warn('fork: child died; replacing it', { child: child.index, code, signal });
    }
    void this.spawn().then(() => this.dispatch());
  }
}
