// The live rows of tickets and FAQs per status, as the counters that triggers keep (migrations.ts) add them up:
// a page of a million rows must not count them each time.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export type CountedTable = 'tickets' | 'faqs';

/** The LIKE pattern of the counters to add up: one status, or every status of the table. */
export function counterNames(table: CountedTable, status: string | undefined): string {
  return status ? `${table}:${status}` : `${table}:%`;
}

/** How many live rows the table holds (of one status, if given). */
export async function countLive(
  db: Kysely<Database>,
  table: CountedTable,
  status: string | undefined,
): Promise<number> {
  const { n } = await db
    .selectFrom('counters')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('value'), sql<number>`0`).as('n'))
    .where('name', 'like', counterNames(table, status))
    .executeTakeFirstOrThrow();
  return Number(n);
}
