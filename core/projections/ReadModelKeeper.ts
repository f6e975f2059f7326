import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { ProjectionEncoding } from '../config.js';
import type { Logger } from '../logger.js';
import { isAppError } from '../errors.js';
import type { ProjectionRebuilder, RebuildResult } from './ProjectionRebuilder.js';
import type { Projector } from './Projector.js';
import { readModelState, withdrawReadModel, type ReadModelProblem } from './ReadModelIdentity.js';

/** What the keeper last found, for /metrics. */
export type KeeperStatus = { readonly state: 'ok' | 'unknown' } | { readonly state: 'degraded'; readonly reason: ReadModelProblem };

/** Told when the keeper rebuilt the read model by itself, why, and what each entity's rebuild did. */
export interface KeeperObserver {
  rebuilt(reason: ReadModelProblem, results: readonly RebuildResult[]): void;
}

/**
 * Keeps the read model right, on every poll: when it belongs to this write model and data set, the projector
 * catches up from the outbox; when it does not (Redis emptied or restarted, another database, a replaced data
 * set, another PROJECTION_ENCODING, a checkpoint past the outbox), it is withdrawn (its identity and live projections
 * deleted, so every projection read is answered from MySQL) and rebuilt by itself, atomically, by one process at a
 * time under the rebuild lease — a keeper that dies mid-rebuild is replaced within REBUILD_LEASE_MS. /healthz says
 * `degraded` meanwhile.
 */
export class ReadModelKeeper {
  private timer: NodeJS.Timeout | undefined;
  private status: KeeperStatus = { state: 'unknown' };
  private observer: KeeperObserver | undefined;
  private polling: Promise<unknown> | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly encoding: ProjectionEncoding,
    private readonly projector: Projector,
    private readonly rebuilder: () => ProjectionRebuilder,
    private readonly logger: Logger,
  ) {}

  observe(observer: KeeperObserver): void {
    this.observer = observer;
  }

  lastStatus(): KeeperStatus {
    return this.status;
  }

  /** One poll: check, then catch up or heal. Resolves with what it found. */
  async keep(): Promise<KeeperStatus> {
    const state = await readModelState(this.knex, this.redis, this.prefix, this.encoding);
    if (state.status === 'ok') {
      this.status = { state: 'ok' };
      await this.projector.catchUp();
      return this.status;
    }
    if (this.status.state !== 'degraded') this.logger.warn('the read model does not match the write model; rebuilding it', { reason: state.reason });
    this.status = { state: 'degraded', reason: state.reason };
    if (state.recorded !== undefined) await withdrawReadModel(this.redis, this.prefix, state.recorded);
    await this.heal(state.reason);
    return this.status;
  }

  /** Polls every `intervalMs`; a failure (a service down) is logged once and retried. */
  start(intervalMs: number): void {
    if (this.timer) return;
    let failing = false;
    const tick = async () => {
      try {
        await (this.polling = this.keep());
        if (failing) this.logger.info('read model keeper running again');
        failing = false;
      } catch (err) {
        if (!failing) this.logger.warn('read model keeper failed; retrying', { err });
        failing = true;
        this.status = { state: 'unknown' };
      }
      if (this.timer) this.timer = setTimeout(tick, intervalMs).unref();
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  /** Stops polling, after the poll under way (a rebuild under way finishes: its locks are released). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling?.catch(() => undefined);
    await this.projector.stop();
  }

  /** Rebuilds everything, unless another process is already at it (then the next poll looks again). */
  private async heal(reason: ReadModelProblem): Promise<void> {
    let results: RebuildResult[];
    try {
      results = await this.rebuilder().rebuildAll();
    } catch (err) {
      // Another process holds the rebuild lease (or took it over from this one): it heals, this keeper looks again.
      if (isAppError(err) && err.code === 'CONFLICT') return;
      throw err;
    }
    this.observer?.rebuilt(reason, results);
    this.status = { state: 'ok' };
    this.logger.info('read model rebuilt', { reason });
  }
}
