// The clock on SQLite: the one machine's, read by SQLite itself. Every instance on a SQLite file runs on the
// machine that holds it, so they share this clock; 'now' is the same throughout one statement.
import { sql } from 'kysely';
import type { DatabaseClock } from '../clock.ts';

// %f is seconds with milliseconds (SS.SSS): the text toISOString() writes.
export const sqliteClock: DatabaseClock = {
  now: () => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  offset: (ms) => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`${(ms / 1000).toFixed(3)} seconds`})`,
};
