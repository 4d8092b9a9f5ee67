// Recognises the database's own refusals so that callers can turn them into business answers, on either engine.

/** SQLite's extended result code and PostgreSQL's SQLSTATE for a broken UNIQUE constraint. */
const UNIQUE_VIOLATION = new Set(['SQLITE_CONSTRAINT_UNIQUE', '23505']);

/** True when a write broke a UNIQUE constraint. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && UNIQUE_VIOLATION.has(String((error as { code?: unknown }).code));
}
