// Tickets written before migration 0009 (each row's list of its words, which SQLite's search reads for words that
// each begin too many words to merge) or before 0010 (the first characters of those words, which that search
// tests first) are found by such searches after the upgrade, as on PostgreSQL, whose search documents were always
// there: each migration fills its part for the rows already there.
import test from 'ava';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, inspectDatabase } from '../helpers/database.ts';
import { migrateTo, touchSqliteFile } from '../helpers/migrations.ts';
import { unique } from '../helpers/seed.ts';

const [a, b] = ['a', 'b'].map((prefix) => unique(prefix).split(' ')[1]!) as [string, string];

const RELEASES = [
  ['the word lists', '0008-import-parts'],
  ['their initials', '0009-search-word-lists'],
] as const;

for (const [missing, last] of RELEASES)
  test(`tickets written before ${missing} existed are found by words that each begin many words, after the upgrade`, async (t) => {
    const database = await createTestDatabase();
    try {
      touchSqliteFile(database.url);
      // 2,000 tickets as the release before left them: half hold one of 100 words beginning with a, half one of 100
      // beginning with b; the newest but one holds both, the oldest both and a word of its own.
      const [oldest, recent] = await inspectDatabase(database.url, async (db) => {
        await migrateTo(db, last);
        await sql`
        WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
        INSERT INTO tickets (title, description, status, priority, requester, tags, version, created_at, updated_at)
        SELECT CASE WHEN i IN (1, 1999) THEN ${`Both ${a}x`} ELSE 'Seeded' END,
          CASE WHEN i IN (1, 1999) THEN ${`and ${b}x`} WHEN i % 2 = 0 THEN ${a} || (i % 200) ELSE ${b} || (i % 200) END,
          'open', 'normal', 'old@example.com', '[]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
        FROM n`.execute(db);
        await sql`ANALYZE`.execute(db);
        const both = await db
          .selectFrom('tickets')
          .select('id')
          .where('title', 'like', 'Both %')
          .orderBy('id')
          .execute();
        return both.map(({ id }) => id);
      });
      // SEARCH_BOUND 3: the newest 60 tickets are read for "a b" (200 words begun, more than 30).
      const store = await openStore({ url: database.url, synchronous: 'NORMAL', searchBound: 3 });
      try {
        const found = await store.tickets.search(`${a} ${b}`, 10);
        t.deepEqual(
          found.items.map(({ id }) => id),
          [recent],
          'the match among the newest rows, not the oldest',
        );
        t.like(found, { totalElements: 1, totalElementsIsLowerBound: true });
        t.not(oldest, recent);
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
