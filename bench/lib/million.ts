// A SQLite file of many tickets, made fast: the schema through the store's own migrations (so triggers, counters
// and search index are the real ones), then one transaction of prepared inserts straight into SQLite.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openSqlite } from '../../src/store/engines/sqlite.ts';
import { openStore } from '../../src/store/index.ts';
import { PROJECT_ROOT } from '../../src/project.ts';

const STATUSES = ['open', 'pending', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

export async function fillTickets(path: string, count: number): Promise<void> {
  const store = await openStore({ url: `file:${path}`, synchronous: 'NORMAL' });
  await store.close();
  const sqlite = openSqlite(path, 'OFF');
  const insert =
    sqlite.prepare(`INSERT INTO tickets (title, description, status, priority, requester, assignee, tags, version, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, NULL, ?, 1, ?, ?)`);
  const at = new Date('2026-01-01T00:00:00Z').toISOString();
  sqlite.transaction(() => {
    for (let i = 1; i <= count; i++) {
      insert.run(
        `Ticket ${i}: printer ${i % 97} fails`,
        `Reported as case ${i}.`,
        STATUSES[i % 4],
        PRIORITIES[i % 4],
        `customer${i % 5000}@example.com`,
        '["bench"]',
        at,
        at,
      );
    }
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
}

/** Where generated databases are kept between bench runs (BENCH_CACHE, or bench/.cache, ignored by git). */
export const BENCH_CACHE = process.env.BENCH_CACHE ?? join(PROJECT_ROOT, 'bench', '.cache');

/**
 * A SQLite file of `count` tickets from the cache, made (and kept there) on the first run. Benches that write
 * must copy it; the search bench only reads. Made under a temporary name, so that an interrupted fill is not kept.
 */
export async function cachedTickets(count: number): Promise<{ path: string; made: boolean }> {
  mkdirSync(BENCH_CACHE, { recursive: true });
  const path = join(BENCH_CACHE, `tickets-${count}.db`);
  if (existsSync(path)) return { path, made: false };
  const filling = `${path}.filling`;
  rmSync(filling, { force: true });
  await fillTickets(filling, count);
  renameSync(filling, path);
  return { path, made: true };
}

/** Rows per statement: one transaction's counter rows are updated once per ticket, and each update walks its row's versions. */
const POSTGRES_BATCH = 10_000;

/**
 * The same tickets on PostgreSQL, through the schema's own triggers (search documents, counters), a batch per
 * statement, then analysed so that the planner knows what the search index holds.
 */
export async function fillPostgresTickets(
  url: string,
  count: number,
  progress: (done: number) => void = () => {},
): Promise<void> {
  const store = await openStore({ url, synchronous: 'NORMAL' });
  try {
    for (let first = 1; first <= count; first += POSTGRES_BATCH) {
      const last = Math.min(count, first + POSTGRES_BATCH - 1);
      await sql`INSERT INTO tickets (title, description, status, priority, requester, assignee, tags, version, created_at, updated_at)
        SELECT 'Ticket ' || i || ': printer ' || (i % 97) || ' fails', 'Reported as case ' || i || '.',
          (${STATUSES}::text[])[i % 4 + 1], (${PRIORITIES}::text[])[i % 4 + 1], 'customer' || (i % 5000) || '@example.com',
          NULL, '["bench"]', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
        FROM generate_series(${first}::integer, ${last}::integer) AS i`.execute(store.db);
      progress(last);
    }
    await sql`VACUUM ANALYZE`.execute(store.db);
  } finally {
    await store.close();
  }
}
