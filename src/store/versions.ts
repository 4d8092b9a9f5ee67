// Versioned updates: a change decided on a read of version n lands only while the row is still at n, and moves
// it to n + 1, so a change decided on a stale read never lands (the ETags and If-Match of the resources).
import type { Kysely, Selectable, Updateable } from 'kysely';
import { now } from './clock.ts';
import type { Database } from './schema.ts';

/** The tables whose rows carry a version and the time of their last change. */
export type VersionedTable = 'tickets' | 'faqs';

/** Sets `columns` on row `id` if it is still at `version`: the row as it is now, or undefined when it has moved on. */
export async function updateVersioned<T extends VersionedTable>(
  db: Kysely<Database>,
  table: T,
  id: number,
  version: number,
  columns: Updateable<Database[T]>,
): Promise<Selectable<Database[T]> | undefined> {
  const row = await db
    .updateTable<VersionedTable>(table)
    .set({ ...columns, version: version + 1, updated_at: now() })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  // Kysely types a query over either table with the columns of both: the row is one of `table`'s.
  return row as Selectable<Database[T]> | undefined;
}
