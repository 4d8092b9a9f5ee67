// How many import jobs are in each state, database-wide: read at each metrics scrape (src/metrics/imports.ts).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export async function importsByState(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('imports')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
}
