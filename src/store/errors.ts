// Recognises the database's own refusals so that callers can turn them into business answers.

/** True when a write broke a UNIQUE constraint (SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
