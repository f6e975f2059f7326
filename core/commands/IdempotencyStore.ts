import type { Knex } from 'knex';
import type { SqlStatement } from '../db/CompoundStatement.js';
import type { SqlTransaction } from '../db/SqlTransaction.js';
import { AppError } from '../errors.js';
import { Tables } from '../db/tables.js';
import type { Logger } from '../logger.js';

/** What a command answered (status and body text), recorded under its key: what a retry gets back. */
export interface RecordedAnswer {
  readonly status: number;
  readonly body: string;
}

/** A key as recorded: the request it was first used for (its fingerprint), and that request's answer. */
export interface StoredCommand {
  readonly fingerprint: string;
  readonly answer: RecordedAnswer;
}

/** A command sent with an idempotency key: what its transaction claims, and the answer it records for its result. */
export interface IdempotentCommand<R> {
  readonly key: string;
  /** What the key was sent with (the HTTP side computes it: method, path, content type and body). */
  readonly fingerprint: string;
  /** The answer to record for the command's result, computed in the transaction, before the commit. */
  readonly answer: (result: R) => RecordedAnswer;
}

/**
 * Thrown by `claim` (so the command's transaction rolls back, having written nothing) when an earlier request has
 * committed under the key: `stored` is what it recorded, read after its commit.
 */
export class KeyAlreadyUsed extends Error {
  override name = 'KeyAlreadyUsed';
  readonly code = 'IDEMPOTENCY_KEY_USED';

  constructor(readonly stored: StoredCommand) {
    super('An earlier request has committed under this idempotency key');
  }
}

/** Expired keys deleted by one purge statement, at most. */
export const PURGE_BATCH = 1_000;
/** After a purge that found fewer than a batch, the next one waits this long; after a full batch it runs on the next command. */
const PURGE_PAUSE_MS = 1_000;

const NOW = 'UTC_TIMESTAMP(3)';

interface KeyRow {
  fingerprint: string;
  status: number | null;
  body: string | null;
}

function toStored(row: KeyRow): StoredCommand {
  // A committed row always holds its answer: it is recorded in the transaction that inserts the row.
  return { fingerprint: row.fingerprint, answer: { status: Number(row.status), body: row.body ?? '' } };
}

/**
 * The idempotency keys of commands (table `idempotency_keys`) and the answers recorded under them, each kept for
 * `ttlSeconds` (database clock, UTC). A key is claimed first thing in its command's transaction and its answer
 * recorded before the commit, so the command's rows and its key commit together or not at all. A key past its
 * expiry is absent: found by nobody, claimed afresh, and purged in batches by the commands that use keys.
 */
export class IdempotencyStore {
  private nextPurgeAt = 0;

  constructor(private readonly knex: Knex, private readonly ttlSeconds: number, private readonly logger: Logger) {}

  /** The key's committed record, unless it has expired. */
  async find(key: string): Promise<StoredCommand | undefined> {
    const row: KeyRow | undefined = await this.knex(Tables.idempotencyKeys)
      .select('fingerprint', 'status', 'body')
      .where('idempotency_key', key)
      .where('expires_at', '>', this.knex.raw(NOW))
      .first();
    return row && toStored(row);
  }

  /**
   * Takes the key for the transaction: its first statement. While another transaction holds the key (a request in
   * flight with it), InnoDB makes this insert wait for that transaction's end: a rollback frees the key (this one
   * takes it), a commit makes it a duplicate — then the committed record is read (a locking read sees the latest
   * commit) and thrown as KeyAlreadyUsed. An expired record not yet purged is deleted and the key taken afresh.
   */
  async claim(trx: SqlTransaction, key: string, fingerprint: string): Promise<void> {
    const table = Tables.idempotencyKeys;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        await trx.query(
          `INSERT INTO ${table} (idempotency_key, fingerprint, created_at, expires_at) VALUES (?, ?, ${NOW}, ${NOW} + INTERVAL ? SECOND)`,
          [key, fingerprint, this.ttlSeconds],
        );
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err;
      }
      const [row] = await trx.query<Array<KeyRow & { expired: number }>>(
        `SELECT fingerprint, status, body, expires_at <= ${NOW} AS expired FROM ${table} WHERE idempotency_key = ? LOCK IN SHARE MODE`, [key]);
      if (row && !Number(row.expired)) throw new KeyAlreadyUsed(toStored(row));
      await trx.query(`DELETE FROM ${table} WHERE idempotency_key = ? AND expires_at <= ${NOW}`, [key]);
    }
    // Expired, deleted, and taken again by another request between two statements of this one: never a duplicate
    // key error out of here (a command would read it as its own, e.g. a taken e-mail).
    throw new AppError('CONFLICT', 'Another request is using this Idempotency-Key', [
      { field: 'Idempotency-Key', message: 'is being used by another request; retry it' },
    ]);
  }

  /** The statement that records the command's answer under the key it claimed, sent in the same transaction. */
  recordStatement(key: string, answer: RecordedAnswer): SqlStatement {
    return { sql: `UPDATE ${Tables.idempotencyKeys} SET status = ?, body = ? WHERE idempotency_key = ?`, values: [answer.status, answer.body, key] };
  }

  /** Deletes up to `limit` expired keys, oldest first; returns how many. */
  async purgeExpired(limit = PURGE_BATCH): Promise<number> {
    const [result] = await this.knex.raw(
      `DELETE FROM ${Tables.idempotencyKeys} WHERE expires_at <= ${NOW} ORDER BY expires_at LIMIT ?`,
      [limit],
    ) as [{ affectedRows: number }];
    return result.affectedRows;
  }

  /**
   * A purge batch when one is due: at once after a full batch (a backlog is worked off one command at a time, and
   * every command that adds a key can delete a batch of them), else after a pause. Never rejects: the command it
   * follows has committed; a purge that failed is logged and tried again by a later command.
   */
  async purgeWhenDue(): Promise<void> {
    if (Date.now() < this.nextPurgeAt) return;
    try {
      const deleted = await this.purgeExpired();
      if (deleted < PURGE_BATCH) this.nextPurgeAt = Date.now() + PURGE_PAUSE_MS;
    } catch (err) {
      this.nextPurgeAt = Date.now() + PURGE_PAUSE_MS;
      this.logger.warn('purging expired idempotency keys failed; a later command retries', { err });
    }
  }
}
