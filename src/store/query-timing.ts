// What a query was (by its SQL's first word), for the metrics that time queries; the engines tell a QueryTimer
// how long each of theirs took (src/store/engines/*.ts), the metrics side decides what to do with it.

export const OPERATIONS = ['select', 'insert', 'update', 'delete', 'transaction', 'other'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Told how long each query took, in seconds. */
export type QueryTimer = (operation: Operation, seconds: number) => void;

const BY_KEYWORD: Record<string, Operation> = {
  select: 'select',
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  begin: 'transaction',
  commit: 'transaction',
  end: 'transaction',
  rollback: 'transaction',
  savepoint: 'transaction',
  release: 'transaction',
};

/** The operation a statement performs; a few words (pragmas, DDL at migration) count as `other`. */
export function operationOf(sql: string): Operation {
  const keyword = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
  return BY_KEYWORD[keyword] ?? 'other';
}
