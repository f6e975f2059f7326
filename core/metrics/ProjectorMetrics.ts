import { Gauge, type Registry } from 'prom-client';
import type { Projector } from '../projections/Projector.js';
import type { ReadModelKeeper } from '../projections/ReadModelKeeper.js';
import { READ_MODEL_PROBLEMS as REASONS } from '../projections/ReadModelIdentity.js';

/**
 * The read model's distance behind the write model, and whether it belongs to it at all, read at scrape time
 * in the process running the projector.
 */
export function registerProjectorLag(registry: Registry, runtime: string, projector: Projector, keeper: ReadModelKeeper): void {
  new Gauge({
    name: 'cqrs_projector_lag_events', help: 'Outbox position minus projector checkpoint (-1: cannot be read)', labelNames: ['runtime'], registers: [registry],
    async collect() {
      try {
        this.set({ runtime }, await projector.lag());
      } catch {
        this.set({ runtime }, -1); // a service is down: unknown
      }
    },
  });
  new Gauge({
    name: 'cqrs_read_model_degraded',
    help: 'The read model found not to belong to this write model at the last poll (1), by reason; it is being rebuilt',
    labelNames: ['runtime', 'reason'], registers: [registry],
    collect() {
      const status = keeper.lastStatus();
      for (const reason of REASONS) this.set({ runtime, reason }, status.state === 'degraded' && status.reason === reason ? 1 : 0);
    },
  });
}
