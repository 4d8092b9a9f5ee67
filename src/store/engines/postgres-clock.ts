// The clock on PostgreSQL: the database server's, whichever machine each instance runs on. statement_timestamp()
// is fixed for the whole statement (every row it compares sees the same instant) and, unlike now(), is not held
// back to the start of a longer transaction.
import { type RawBuilder, sql } from 'kysely';
import type { DatabaseClock } from '../clock.ts';

// The text toISOString() writes: MS is three digits of milliseconds.
const iso = (instant: RawBuilder<unknown>) =>
  sql<string>`to_char((${instant}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const postgresClock: DatabaseClock = {
  now: () => iso(sql`statement_timestamp()`),
  offset: (ms) => iso(sql`statement_timestamp() + ${ms}::double precision * interval '1 millisecond'`),
};
