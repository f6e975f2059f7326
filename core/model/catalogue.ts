// The entities of the application, declared once: routes, repositories, the rebuild, the seeder's reset,
// the bench's scenarios and the report's loops read them from here. Adding an entity means an entry here,
// its model (row → projection builder), its queries and its commands (docs/ARCHITECTURE.md, "Add an entity").
import { Tables } from '../db/tables.js';
import type { CustomerProjection } from './Customer.js';
import type { OrderProjection } from './Order.js';
import type { ProductProjection } from './Product.js';

export const AGGREGATE_TYPES = ['product', 'customer', 'order'] as const;
/** An entity in the singular, as events and projections name it. */
export type AggregateType = (typeof AGGREGATE_TYPES)[number];

/** An entity in the plural: the URL segment, the list body's key, the Redis key space, the bench's name. */
export type EntityName = 'products' | 'customers' | 'orders';

/** Each entity's projection (what the API shows of it), by its type. */
export interface ProjectionOf {
  product: ProductProjection;
  customer: CustomerProjection;
  order: OrderProjection;
}

export interface EntityDefinition {
  readonly type: AggregateType;
  readonly plural: EntityName;
  /** Its table in the write model. */
  readonly table: string;
  /** Whether it has an update command (PUT). */
  readonly updatable: boolean;
  /** Entities whose events can change this entity's projections (an order shows its products' names). */
  readonly projectedFrom: readonly AggregateType[];
}

export const ENTITIES: readonly EntityDefinition[] = Object.freeze([
  { type: 'product', plural: 'products', table: Tables.products, updatable: true, projectedFrom: ['product'] },
  { type: 'customer', plural: 'customers', table: Tables.customers, updatable: false, projectedFrom: ['customer'] },
  { type: 'order', plural: 'orders', table: Tables.orders, updatable: false, projectedFrom: ['order', 'product'] },
] as const);

export const ENTITY_NAMES: readonly EntityName[] = ENTITIES.map((e) => e.plural);

const BY_TYPE = new Map(ENTITIES.map((e) => [e.type, e]));
const BY_NAME = new Map(ENTITIES.map((e) => [e.plural, e]));

export function entityOf(type: AggregateType): EntityDefinition {
  return BY_TYPE.get(type)!;
}

export function entityNamed(name: EntityName): EntityDefinition {
  return BY_NAME.get(name)!;
}

export function isEntityName(name: string): name is EntityName {
  return BY_NAME.has(name as EntityName);
}
