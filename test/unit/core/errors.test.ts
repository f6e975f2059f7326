import { expect } from 'chai';
import { isUnavailable, toAppError } from '../../../core/errors.js';

// Errors as the drivers build them (mysql2, knex, ioredis, node:net): which say "a backing service cannot serve now"
// (503) and which are bugs or the client's (never 503). The real ones are produced in
// test/e2e/runtimes/connectionLoss.test.ts and outages.test.ts; these pin each kind.

function error(message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), fields);
}

describe('isUnavailable classifies driver errors by kind', () => {
  const unavailable: ReadonlyArray<[string, unknown]> = [
    ['mysql2: a command on a closed connection (fatal, no code), e.g. knex\'s ROLLBACK after a loss',
      error("ROLLBACK - Can't add new command when connection is in closed state", { fatal: true })],
    ['mysql2: the server closed the connection', error('Connection lost: The server closed the connection.', { fatal: true, code: 'PROTOCOL_CONNECTION_LOST' })],
    ['mysql2: any other fatal error (a failed handshake)', error('Access denied', { fatal: true, code: 'ER_ACCESS_DENIED_ERROR' })],
    ['MariaDB: the connection was killed', error('Connection was killed', { code: 'ER_CONNECTION_KILLED', errno: 1927 })],
    ['MariaDB: shutting down', error('Server shutdown in progress', { code: 'ER_SERVER_SHUTDOWN' })],
    ['MariaDB: the query was interrupted', error('Query execution was interrupted', { code: 'ER_QUERY_INTERRUPTED' })],
    ['MariaDB: read-only (a failover)', error('The MariaDB server is running with the --read-only option', { code: 'ER_OPTION_PREVENTS_STATEMENT' })],
    ['MariaDB: a deadlock still there after the retries', error('Deadlock found', { code: 'ER_LOCK_DEADLOCK' })],
    ['a socket system error on connect', error('connect ECONNREFUSED 127.0.0.1:3306', { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 })],
    ['a socket system error on write', error('write EPIPE', { code: 'EPIPE', syscall: 'write' })],
    ['any socket system error, also one not listed', error('read ENOTCONN', { code: 'ENOTCONN', syscall: 'read' })],
    ['a name lookup failure', error('getaddrinfo EAI_AGAIN db', { code: 'EAI_AGAIN', syscall: 'getaddrinfo' })],
    ['knex: no connection from the pool in time', error('Knex: Timeout acquiring a connection.', { name: 'KnexTimeoutError' })],
    ['ioredis: a command on a closed connection', error('Connection is closed.')],
    ['ioredis: offline queue off', error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis: retries exhausted', error('Reached the max retries per request limit (which is 1).', { name: 'MaxRetriesPerRequestError' })],
    ['Redis: loading its data set after a restart', error('LOADING Redis is loading the dataset in memory', { name: 'ReplyError' })],
    ['Redis: a replica read-only', error("READONLY You can't write against a read only replica.", { name: 'ReplyError' })],
    ['Redis: cluster down', error('CLUSTERDOWN The cluster is down', { name: 'ReplyError' })],
    ['a cause chain: a wrapper around a lost connection', error('command failed', { cause: error('x', { fatal: true }) })],
    ['an AggregateError of connection attempts', Object.assign(new AggregateError([error('connect ECONNREFUSED ::1', { code: 'ECONNREFUSED', syscall: 'connect' })], 'all failed'))],
  ];
  for (const [kind, err] of unavailable) {
    it(`503: ${kind}`, () => {
      expect(isUnavailable(err)).to.equal(true);
      expect(toAppError(err).status).to.equal(503);
    });
  }

  const notUnavailable: ReadonlyArray<[string, unknown]> = [
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['MariaDB: a duplicate key (not fatal)', error("Duplicate entry 'x' for key 'email'", { code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['MariaDB: a syntax error', error('You have an error in your SQL syntax', { code: 'ER_PARSE_ERROR' })],
    ['Redis: a script error', error('ERR Error running script', { name: 'ReplyError' })],
    ['Redis: a wrong type', error('WRONGTYPE Operation against a key holding the wrong kind of value', { name: 'ReplyError' })],
    ['an E-code without a syscall that is no network error', error('file missing', { code: 'ENOENT' })],
    ['a file system error (a syscall, but no socket)', error("ENOENT: no such file or directory, open 'x'", { code: 'ENOENT', syscall: 'open' })],
    ['not an error at all', 'a string'],
  ];
  for (const [kind, err] of notUnavailable) {
    it(`not 503: ${kind}`, () => {
      expect(isUnavailable(err)).to.equal(false);
      expect(toAppError(err).status).to.equal(500);
    });
  }
});
