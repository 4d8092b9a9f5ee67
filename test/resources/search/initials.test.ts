// Words that each begin many words, in letters beyond ASCII: SQLite's probe of the newest rows tests the first
// characters of a row's words (tickets_words.initials) before it reads their list, so those characters must be
// read as the index folds them (É as e; λ and ж as letters of their own), or the one match would be skipped. Both
// engines answer from the newest 20 × SEARCH_BOUND rows (60 here) with a lower bound, as partial.test.ts shows for
// ASCII; 1,800 rows are seeded so that PostgreSQL gathers more than its bound (500 × SEARCH_BOUND) too.
import test from 'ava';
import { sql } from 'kysely';
import { type HalDocument, embeddedIds } from '../../helpers/hal.ts';
import { getOk, unique } from '../../helpers/seed.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

interface Listing extends HalDocument {
  page: { totalElements: number; totalElementsIsLowerBound: boolean };
}

let server: TestServer;
const tag = unique('initials').split(' ')[1]!;
/** Three prefixes, each of 100 words in 600 tickets: Latin with a diacritic, Greek, Cyrillic. */
const [latin, greek, cyrillic] = [`é${tag}`, `λ${tag}`, `ж${tag}`];
/** The tickets holding a word of each prefix: one among the oldest, one among the newest 60. */
let old = 0;
let recent = 0;

test.before(async () => {
  server = await startTestServer({ SEARCH_BOUND: '3' });
  [old, recent] = await server.inspect(async (db) => {
    await sql`
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1800)
      INSERT INTO tickets (title, description, status, priority, requester, tags, version, created_at, updated_at)
      SELECT CASE WHEN i IN (10, 1790) THEN ${`All ${latin}x ${greek}x ${cyrillic}x`}
          ELSE 'Seeded ' || CASE i % 3 WHEN 0 THEN ${latin} WHEN 1 THEN ${greek} ELSE ${cyrillic} END || (i % 100) END,
        'Seeded.', 'open', 'normal', 'bulk@example.com', '[]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
      FROM n`.execute(db);
    await sql`ANALYZE`.execute(db);
    const rows = await db.selectFrom('tickets').select('id').where('title', 'like', 'All %').orderBy('id').execute();
    return [rows[0]?.id ?? 0, rows[1]?.id ?? 0];
  });
});
test.after.always(() => server?.close());

test('prefixes beyond ASCII, in capitals, that seldom meet: the match among the newest rows, as a lower bound', async (t) => {
  const q = encodeURIComponent([latin, greek, cyrillic].map((word) => word.toUpperCase()).join(' '));
  const page = await getOk<Listing>(server, `/tickets?q=${q}`);
  t.deepEqual(embeddedIds(page, 'tickets'), [recent], 'the old match is not read');
  t.like(page.page, { totalElements: 1, totalElementsIsLowerBound: true });
  t.not(old, recent);
});

test('the same prefixes with a word no ticket holds: nothing', async (t) => {
  const q = encodeURIComponent(`${latin} ${greek} ${cyrillic}zz`);
  const page = await getOk<Listing>(server, `/tickets?q=${q}`);
  t.deepEqual(embeddedIds(page, 'tickets'), []);
  t.is(page.page.totalElements, 0);
});
