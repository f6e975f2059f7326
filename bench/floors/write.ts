// The write floor: node:http and a mysql2 pool (MYSQL_POOL_MAX connections), one process, answering
// `POST /en/products` with the command's transaction and nothing else: the row, the live count and the outbox
// event (writeProductWithEvent). No framework, no pipeline, no validation library, no Idempotency-Key, no Redis
// (the runtime's projector projects the floor's events from the outbox): what a product create costs MySQL, the
// rate a runtime's create is compared with.
import { createServer, type IncomingMessage } from 'node:http';
import mysql from 'mysql2/promise';
import { loadConfig, mysqlConnectionSettings } from '../../core/index.js';
import { JSON_TYPE, serveFloor } from './reads.js';

interface NewProduct {
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
}

/**
 * The floor's whole transaction, as a product create writes it today: the row (DATETIME to the second), the live
 * count in its connection's slot, then the outbox event the way core/events/EventStore.ts appends it (an
 * auto-increment id, no position: positions are given after commit by the EventSequencer, here by the runtime's
 * projector; occurred_at to the millisecond). Change it here when EventStore changes.
 */
export async function writeProductWithEvent(connection: mysql.PoolConnection, product: NewProduct): Promise<Record<string, unknown>> {
  const at = new Date().toISOString();
  const now = at.slice(0, 19).replace('T', ' ');
  await connection.query('BEGIN');
  try {
    const [row] = await connection.execute<mysql.ResultSetHeader>(
      'INSERT INTO products (name, description, price_cents, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      [product.name, product.description, product.priceCents, now, now]);
    await connection.execute("UPDATE aggregate_counts SET live_count = live_count + 1 WHERE aggregate_type = 'product' AND slot = CONNECTION_ID() % 32");
    const payload = { id: row.insertId, name: product.name, description: product.description, price: (product.priceCents / 100).toFixed(2), created_at: `${at.slice(0, 19)}Z` };
    await connection.execute(
      'INSERT INTO events (aggregate_type, aggregate_id, event_type, payload, occurred_at) VALUES (?, ?, ?, ?, ?)',
      ['product', row.insertId, 'ProductCreated', JSON.stringify(payload), at.slice(0, 23).replace('T', ' ')]);
    await connection.query('COMMIT');
    return payload;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The body's name, description and price (`12.50`), or why not: the floor answers 400 as the runtimes would. */
function productOf(body: string): NewProduct | string {
  let value: { name?: unknown; description?: unknown; price?: unknown };
  try {
    value = JSON.parse(body) as typeof value;
  } catch {
    return 'body';
  }
  if (typeof value?.name !== 'string' || value.name.trim() === '') return 'name';
  const price = typeof value.price === 'string' ? /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(value.price.trim()) : null;
  if (!price) return 'price';
  const description = typeof value.description === 'string' ? value.description : '';
  return { name: value.name.trim(), description, priceCents: Number(price[1]) * 100 + Number((price[2] ?? '0').padEnd(2, '0')) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const config = loadConfig();
const pool = mysql.createPool({ ...(mysqlConnectionSettings(config.mysqlUrl) as mysql.PoolOptions), connectionLimit: config.mysqlPoolMax });

async function answer(req: IncomingMessage): Promise<{ status: number; body: string }> {
  if (req.method !== 'POST' || !/^\/en\/products$/.test(req.url ?? '')) return { status: 404, body: JSON.stringify({ error: 'Not found', code: 'NOT_FOUND' }) };
  const product = productOf(await readBody(req));
  if (typeof product === 'string') return { status: 400, body: JSON.stringify({ error: `Invalid ${product}`, code: 'VALIDATION_FAILED', fields: [{ field: product, message: 'is invalid' }] }) };
  const connection = await pool.getConnection();
  try {
    return { status: 201, body: JSON.stringify({ product: await writeProductWithEvent(connection, product) }) };
  } finally {
    connection.release();
  }
}

const server = createServer((req, res) => {
  void answer(req).catch(() => ({ status: 503, body: JSON.stringify({ error: 'MySQL cannot be reached', code: 'SERVICE_UNAVAILABLE' }) })).then(({ status, body }) => {
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
serveFloor(server, () => pool.end());
