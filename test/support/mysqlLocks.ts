import { expect } from 'chai';
import type { Knex } from 'knex';

/**
 * The MariaDB thread id of the one statement of this database whose text matches a pattern (SQL LIKE), once it
 * runs: the command under test, waiting for a row the test holds. Fails if two match, or none within 10 s.
 * `except` names connections never to pick, such as the test's own lock holder: its statement may match the pattern
 * and still show as COMMAND 'Query' for a moment after its result reached the client.
 */
export async function waitingStatement(db: Knex, patterns: readonly string[], except: readonly number[] = []): Promise<number> {
  const matches = patterns.map(() => 'INFO LIKE ?').join(' OR ');
  const excluded = except.map(() => ' AND ID <> ?').join('');
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const [rows] = await db.raw(
      `SELECT ID AS id FROM information_schema.PROCESSLIST
        WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND = 'Query'${excluded} AND (${matches})`, [...except, ...patterns],
    ) as [Array<{ id: number }>];
    if (rows.length === 1) return Number(rows[0]!.id);
    expect(rows.length, 'one command waits').to.be.at.most(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no statement like ${patterns.join(' or ')} came to wait within 10 s`);
}
