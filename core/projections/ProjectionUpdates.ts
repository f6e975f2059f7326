import type { Knex } from 'knex';
import type { EventType, StoredEvent } from '../events/DomainEvent.js';
import type { AggregateType, ProjectionOf } from '../model/catalogue.js';
import { OrderDbQueries } from '../queries/OrderDbQueries.js';
import type { VersionedWrite } from './ProjectionRepository.js';

/** Any entity's projection. */
export type Projection = ProjectionOf[AggregateType];

/** The writes one event makes into one entity's projections. */
export type ProjectionUpdate = (event: StoredEvent, db: Knex) => Promise<VersionedWrite<Projection>[]>;

// An event carries its entity's full new state, so its own projection is that state, or none once deleted.
const newState: ProjectionUpdate = async (event) => [{ id: event.aggregateId, version: event.position, projection: event.payload as Projection }];
const removed: ProjectionUpdate = async (event) => [{ id: event.aggregateId, version: event.position, projection: null }];

/** Order projections show product names: the orders holding a renamed product, read again. */
const ordersHoldingProduct: ProjectionUpdate = async (event, db) => {
  const ids = await OrderDbQueries.idsContainingProduct(db, event.aggregateId);
  return (await OrderDbQueries.byIds(db, ids)).map((order) => ({ id: order.id, version: event.position, projection: order }));
};

/**
 * By event type, how it changes the projections of each entity it concerns: its own, and those the catalogue
 * projects from its entity (projectedFrom).
 */
const UPDATES: { readonly [E in EventType]: Partial<Record<AggregateType, ProjectionUpdate>> } = {
  ProductCreated: { product: newState },
  ProductUpdated: { product: newState, order: ordersHoldingProduct },
  // Soft delete: orders keep showing the product, so order projections are untouched.
  ProductDeleted: { product: removed },
  CustomerCreated: { customer: newState },
  CustomerDeleted: { customer: removed },
  OrderCreated: { order: newState },
  OrderDeleted: { order: removed },
};

/** How an event of this type changes the projections of `type`; undefined when it leaves them as they are. */
export function projectionUpdate(event: EventType, type: AggregateType): ProjectionUpdate | undefined {
  return UPDATES[event][type];
}
