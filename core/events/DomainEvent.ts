import type { CustomerProjection } from '../model/Customer.js';
import type { OrderProjection } from '../model/Order.js';
import type { ProductProjection } from '../model/Product.js';

// Events carry the entity's full new state, so applying one needs no read and applying it twice is a no-op.
export type DomainEvent =
  | { type: 'ProductCreated' | 'ProductUpdated'; aggregateType: 'product'; aggregateId: number; payload: ProductProjection }
  | { type: 'ProductDeleted'; aggregateType: 'product'; aggregateId: number; payload: { id: number } }
  | { type: 'CustomerCreated'; aggregateType: 'customer'; aggregateId: number; payload: CustomerProjection }
  | { type: 'CustomerDeleted'; aggregateType: 'customer'; aggregateId: number; payload: { id: number } }
  | { type: 'OrderCreated'; aggregateType: 'order'; aggregateId: number; payload: OrderProjection }
  | { type: 'OrderDeleted'; aggregateType: 'order'; aggregateId: number; payload: { id: number } };

export type EventType = DomainEvent['type'];

export const EVENT_TYPES: readonly EventType[] = [
  'ProductCreated', 'ProductUpdated', 'ProductDeleted', 'CustomerCreated', 'CustomerDeleted', 'OrderCreated', 'OrderDeleted',
];

/** An event its command's transaction appended to the outbox: `id` in insertion order, no position before it commits. */
export type AppendedEvent = DomainEvent & { readonly id: number; readonly occurredAt: string };

/** An event as the projector reads it: numbered after its commit (core/events/EventSequencer.ts). */
export type StoredEvent = DomainEvent & { readonly position: number; readonly occurredAt: string };
