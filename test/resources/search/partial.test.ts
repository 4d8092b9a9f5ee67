// A search whose every word is common but whose words seldom meet would make PostgreSQL's GIN index gather every
// row of every word ("5 6 9" at a million tickets: 333,000 rows, half a second). Past a bound on those rows
// (500 × SEARCH_BOUND by ANALYZE's estimate), PostgreSQL answers from the newest index rows alone (20 ×
// SEARCH_BOUND) and says the count is a lower bound; SQLite's FTS5 reads every match (src/store/engines/
// postgres-search.ts, docs/performance.md). SEARCH_BOUND is 3 here: 1,500 rows gathered at most, 60 rows probed.
import test from 'ava';
import { sql } from 'kysely';
import { type HalDocument, embeddedIds } from '../../helpers/hal.ts';
import { testEngine } from '../../helpers/database.ts';
import { getJson, getOk, unique } from '../../helpers/seed.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

interface Listing extends HalDocument {
  order: 'relevance' | 'newest';
  page: { totalElements: number; totalElementsIsLowerBound: boolean };
}

interface Results extends HalDocument {
  matches: { tickets: number };
  matchesAreLowerBounds: { tickets: boolean };
}

let server: TestServer;
const [a, b, rare] = ['a', 'b', 'r'].map((prefix) => unique(prefix).split(' ')[1]!) as [string, string, string];
/** The only tickets holding both words: one among the oldest, one among the newest 60. */
let old = 0;
let recent = 0;

test.before(async () => {
  server = await startTestServer({ SEARCH_BOUND: '3' });
  // 2,000 tickets, each holding one of the two words (about 1,000 each, 2,000 gathered together), and two both.
  [old, recent] = await server.inspect(async (db) => {
    await sql`
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO tickets (title, description, status, priority, requester, tags, version, created_at, updated_at)
      SELECT CASE WHEN i = 10 THEN ${`Both ${a} ${b} ${rare}`} WHEN i = 1990 THEN ${`Both ${a} ${b}`}
          WHEN i % 2 = 0 THEN ${`Seeded ${a}`} || ' ' || i ELSE ${`Seeded ${b}`} || ' ' || i END,
        'Seeded.', 'open', 'normal', 'bulk@example.com', '[]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
      FROM n`.execute(db);
    await sql`ANALYZE`.execute(db);
    const rows = await db.selectFrom('tickets').select('id').where('title', 'like', 'Both %').orderBy('id').execute();
    return [rows[0]?.id ?? 0, rows[1]?.id ?? 0];
  });
});
test.after.always(() => server?.close());

const ids = (document: HalDocument) => embeddedIds(document, 'tickets');
const listing = (path: string) => getOk<Listing>(server, path);

const both = encodeURIComponent(`${a} ${b}`);

if (testEngine === 'postgres') {
  test('two common words that seldom meet: PostgreSQL lists the matches among the newest rows, as a lower bound', async (t) => {
    const page = await listing(`/tickets?q=${both}`);
    t.deepEqual(ids(page), [recent]);
    t.like(page.page, { totalElements: 1, totalElementsIsLowerBound: true });
    t.is(page._links.last, undefined, 'no last page where only a lower bound is known');
    const { body } = await getJson<Results>(server, `/search?q=${both}`);
    t.deepEqual(ids(body), [recent]);
    t.deepEqual([body.matches.tickets, body.matchesAreLowerBounds.tickets], [1, true]);
  });
} else {
  test('two common words that seldom meet: SQLite reads every match and counts them exactly', async (t) => {
    const page = await listing(`/tickets?q=${both}`);
    t.deepEqual(ids(page), [recent, old]);
    t.like(page.page, { totalElements: 2, totalElementsIsLowerBound: false });
  });
}

test('a rare word beside them is looked up by itself: the old match is found, counted exactly', async (t) => {
  const page = await listing(`/tickets?q=${encodeURIComponent(`${a} ${b} ${rare}`)}`);
  t.deepEqual(ids(page), [old]);
  t.like(page.page, { totalElements: 1, totalElementsIsLowerBound: false });
});

test('one of the common words alone is walked newest first, as before', async (t) => {
  const page = await listing(`/tickets?q=${a}&size=2`);
  t.is(page.order, 'newest');
  t.is(ids(page).length, 2);
  t.like(page.page, { totalElements: 3, totalElementsIsLowerBound: true });
});
