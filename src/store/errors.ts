// Recognises the database's own refusals so that callers can turn them into business answers, on either engine.
import { SEARCH_THREAD_GONE } from './engines/sqlite-search-thread.ts';

/** SQLite's extended result code and PostgreSQL's SQLSTATE for a broken UNIQUE constraint. */
const UNIQUE_VIOLATION = new Set(['SQLITE_CONSTRAINT_UNIQUE', '23505']);

/** True when a write broke a UNIQUE constraint. */
export function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && UNIQUE_VIOLATION.has(String((error as { code?: unknown }).code))
  );
}

/**
 * PostgreSQL SQLSTATEs that mean "not now" rather than "never": the server is shutting down or starting
 * (57P01-57P03), the connection broke (class 08), or it has no connection slot left (53300).
 */
const UNAVAILABLE_SQLSTATE = /^(57P0[123]|08...|53300)$/;
/** Socket failures between us and the database server. */
const UNAVAILABLE_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** node-postgres reports a lost connection, a refused use of a broken client, or no free client, by message only. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Connection terminated due to connection timeout)/;

/**
 * True when the database could not be reached or dropped the connection: the same request may succeed in a
 * moment (a write cut off while committing may or may not have landed). SQLite's SQLITE_BUSY (another process
 * held the write lock longer than busy_timeout) is such a moment too, as is SQLite's search thread stopping.
 */
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATE.test(code) ||
      UNAVAILABLE_SOCKET.has(code) ||
      code.startsWith('SQLITE_BUSY') ||
      code === SEARCH_THREAD_GONE)
  )
    return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  // Connecting to a host with several addresses fails with all of their errors at once.
  return error instanceof AggregateError && error.errors.some(isUnavailable);
}
