// The requests of the write and mixed cells, from bench/scenarios.json (`writes`, `mixed`): built once here for
// autocannon and wrk (bench/k6/scenario.js builds the same from the same file). A request may hold `[<id>]`,
// which the driver replaces per request by a token unique in the run (names, e-mails, the Idempotency-Key).
import { ENTITIES } from '../core/index.js';
import { seededRandom } from './random.js';
import type { EntityName, WriteCommand } from './results.js';
import type { CommandName, Scenarios } from './scenarios.js';

/** Replaced per request by a token unique in the run (autocannon's own placeholder for the same job). */
export const UNIQUE_TOKEN = '[<id>]';

export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface OrderLine {
  readonly product_id: number;
  readonly quantity: number;
}

/** Live ids per entity (the preflight's), that orders and reads draw from. */
export type IdsByEntity = ReadonlyMap<string, readonly number[]>;

/** Distinct orders (customer and lines) a run cycles through. */
const ORDERS_PER_RUN = 1000;

const TYPE_OF = new Map(ENTITIES.map((e) => [e.plural as string, e.type as string]));

export function splitCommand(name: CommandName): { entity: EntityName; command: WriteCommand } {
  const [entity, command] = name.split('/') as [EntityName, WriteCommand];
  return { entity, command };
}

/** The commands of every entity, in scenario order: `products/create`, `products/update`, … */
export function commandNames(scenarios: Scenarios): CommandName[] {
  return scenarios.entities.flatMap((entity) => Object.keys(scenarios.writes.commands[entity]).map((command) => `${entity}/${command}` as CommandName));
}

/** One command: `{id}` a row, `{customer_id}` and `{items}` an order's; `[<id>]` left for the driver. */
export function commandRequest(scenarios: Scenarios, entity: EntityName, command: WriteCommand, fill: { id?: number; customerId?: number; items?: readonly OrderLine[] } = {}): LoadRequest {
  const template = scenarios.writes.commands[entity][command];
  if (!template) throw new Error(`bench/scenarios.json has no ${entity} ${command}`);
  const headers: Record<string, string> = { 'Idempotency-Key': scenarios.writes.idempotencyKey };
  if (!template.body) return { method: template.method, path: template.path.replace('{id}', String(fill.id)), headers };
  const body = Object.fromEntries(Object.entries(template.body).map(([field, value]) =>
    [field, value === '{customer_id}' ? fill.customerId : value === '{items}' ? fill.items : value]));
  return { method: template.method, path: template.path.replace('{id}', String(fill.id)), headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

/** An order of orderLines.min–max lines, each a different seeded product, on a seeded customer. */
export function orderFill(scenarios: Scenarios, ids: IdsByEntity, random: () => number): { customerId: number; items: OrderLine[] } {
  const customers = ids.get('customers') ?? [];
  const products = ids.get('products') ?? [];
  const { min, max } = scenarios.writes.orderLines;
  if (customers.length === 0 || products.length < max) throw new Error(`orders need seeded customers and at least ${max} products: seed first`);
  const lines = min + Math.floor(random() * (max - min + 1));
  const chosen = new Set<number>();
  while (chosen.size < lines) chosen.add(pick(products, random));
  return { customerId: pick(customers, random), items: [...chosen].map((product_id) => ({ product_id, quantity: 1 + Math.floor(random() * 3) })) };
}

/** A create command's requests: one (the token makes each unique), or ORDERS_PER_RUN seeded orders. */
export function createRequests(scenarios: Scenarios, entity: EntityName, ids: IdsByEntity, seed: number): LoadRequest[] {
  if (entity !== 'orders') return [commandRequest(scenarios, entity, 'create')];
  const random = seededRandom(seed);
  return Array.from({ length: ORDERS_PER_RUN }, () => commandRequest(scenarios, 'orders', 'create', orderFill(scenarios, ids, random)));
}

/** An update or delete of each row (rows the cell created itself). */
export function rowRequests(scenarios: Scenarios, entity: EntityName, command: 'update' | 'delete', rows: readonly number[]): LoadRequest[] {
  return rows.map((id) => commandRequest(scenarios, entity, command, { id }));
}

/**
 * The mixed cell's requests: blocks of ten, `mixed.commandsPerTen` commands (the creates in turn) after the
 * projection reads (gets of random live ids, the entities in turn).
 */
export function mixedRequests(scenarios: Scenarios, ids: IdsByEntity, seed: number, blocks = 100): LoadRequest[] {
  const random = seededRandom(seed);
  const { reads, commands, commandsPerTen } = scenarios.mixed;
  const requests: LoadRequest[] = [];
  let read = 0;
  let written = 0;
  for (let b = 0; b < blocks; b++) {
    for (let r = 0; r < 10 - commandsPerTen; r++) {
      const entity = reads[read++ % reads.length]!;
      const live = ids.get(entity) ?? [];
      if (live.length === 0) throw new Error(`no ${entity} ids to read: seed first`);
      requests.push({ method: 'GET', path: `/en/${entity}/projection/${pick(live, random)}` });
    }
    for (let c = 0; c < commandsPerTen; c++) {
      const { entity } = splitCommand(commands[written++ % commands.length]!);
      requests.push(commandRequest(scenarios, entity, 'create', entity === 'orders' ? orderFill(scenarios, ids, random) : {}));
    }
  }
  return requests;
}

/** `[<id>]` replaced by `token` in the path, the headers and the body. */
export function withToken(request: LoadRequest, token: string): LoadRequest {
  const fill = (text: string) => text.split(UNIQUE_TOKEN).join(token);
  return {
    method: request.method,
    path: fill(request.path),
    ...(request.headers && { headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, fill(value)])) }),
    ...(request.body !== undefined && { body: fill(request.body) }),
  };
}

/** A prefix no other run shares: tokens are `<run>-<n>`. */
export function runNonce(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
}

/**
 * The requests in order, each with its own token: one cursor shared by every connection of an in-process driver
 * (autocannon), so that a delete is sent once, and a mixed cell's one command in ten holds over all of them.
 */
export class RequestCycle {
  private next = 0;
  private readonly nonce = runNonce();

  constructor(private readonly requests: readonly LoadRequest[]) {
    if (requests.length === 0) throw new Error('no requests to send');
  }

  take(): LoadRequest {
    const n = this.next++;
    return withToken(this.requests[n % this.requests.length]!, `${this.nonce}-${n}`);
  }
}

/**
 * A cell's own rows, created through the runtime before it is timed (an update or a delete acts on them, so the
 * repeats never meet each other's rows or the seeded data): at least `count` rows and for at least `seconds`
 * (either may be left out), at `concurrency` requests at a time. Any answer but 201 stops the bench.
 */
export async function createRows(baseUrl: string, scenarios: Scenarios, entity: EntityName, ids: IdsByEntity,
  until: { readonly count?: number; readonly seconds?: number }, concurrency: number): Promise<number[]> {
  const cycle = new RequestCycle(createRequests(scenarios, entity, ids, 7));
  const type = TYPE_OF.get(entity)!;
  const deadline = Date.now() + (until.seconds ?? 0) * 1000;
  const rows: number[] = [];
  let started = 0;
  const more = () => Date.now() < deadline || started < (until.count ?? 0);
  const worker = async () => {
    while (more()) {
      started++;
      const request = cycle.take();
      const response = await fetch(`${baseUrl}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`setup: ${request.method} ${request.path} answered ${response.status}: ${text.slice(0, 300)}`);
      rows.push((JSON.parse(text) as Record<string, { id: number }>)[type]!.id);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return rows;
}
