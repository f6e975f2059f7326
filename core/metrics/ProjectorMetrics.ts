import { Gauge, type Registry } from 'prom-client';
import type { Projector } from '../projections/Projector.js';

/** The read model's distance behind the write model, read at scrape time in the process running the projector. */
export function registerProjectorLag(registry: Registry, runtime: string, projector: Projector): void {
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
}
