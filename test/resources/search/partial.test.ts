// A search whose every word is a prefix of many words, and whose words seldom meet, would make either engine read
// every row holding any of those words ("5 6 9" at a million tickets: 333,000 rows; PostgreSQL's GIN index gathers
// them, SQLite's FTS5 merges 111,000 words' lists per word, whatever the LIMIT). Past a bound (PostgreSQL: 500 ×
// SEARCH_BOUND rows gathered, by ANALYZE's estimate; SQLite: 10 × SEARCH_BOUND words begun, with more than 64 for
// each query word), both answer from the newest 20 × SEARCH_BOUND rows alone and say the count is a lower bound
// (src/store/engines/postgres-search.ts and sqlite-search.ts, docs/performance.md). SEARCH_BOUND is 3 here: 1,500
// rows gathered or 30 words begun at most, 60 rows probed.
import test from 'ava';
import { sql } from 'kysely';
import { type HalDocument, embeddedIds } from '../../helpers/hal.ts';
import { createTicket, getJson, getOk, unique } from '../../helpers/seed.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

interface Listing extends HalDocument {
  order: 'relevance' | 'newest';
  page: { totalElements: number; totalElementsIsLowerBound: boolean };
}

interface Results extends HalDocument {
  matches: { tickets: number };
  matchesAreLowerBounds: { tickets: boolean };
}

let server: TestServer;
const [a, b, c, d, rare] = ['a', 'b', 'c', 'd', 'r'].map((prefix) => unique(prefix).split(' ')[1]!) as [
  string,
  string,
  string,
  string,
  string,
];
/** The only tickets holding words that begin with both prefixes: one among the oldest, one among the newest 60. */
let old = 0;
let recent = 0;
/** The last ticket seeded (it holds a word beginning with `a`, as every even one does). */
let last = 0;

test.before(async () => {
  server = await startTestServer({ SEARCH_BOUND: '3' });
  // 2,000 tickets, each holding a word that begins with one of the two prefixes a and b (100 words each, each word
  // in 10 tickets: about 1,000 tickets a prefix, 2,000 gathered together), and two holding both. Each seeded ticket
  // also holds a word beginning with d (100 words), and the oldest 1,500 one beginning with c (100 words).
  [old, recent, last] = await server.inspect(async (db) => {
    await sql`
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO tickets (title, description, status, priority, requester, tags, version, created_at, updated_at)
      SELECT CASE WHEN i = 10 THEN ${`Both ${a}x ${b}x ${rare}`} WHEN i = 1990 THEN ${`Both ${a}x ${b}x`}
          ELSE 'Seeded ' || CASE WHEN i % 2 = 0 THEN ${a} ELSE ${b} END || (i % 200) || ' ' || ${d} || (i % 100)
            || CASE WHEN i <= 1500 THEN ' ' || ${c} || (i % 100) ELSE '' END END,
        'Seeded.', 'open', 'normal', 'bulk@example.com', '[]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
      FROM n`.execute(db);
    await sql`ANALYZE`.execute(db);
    const rows = await db.selectFrom('tickets').select('id').where('title', 'like', 'Both %').orderBy('id').execute();
    const seeded = await db
      .selectFrom('tickets')
      .select((e) => e.fn.max('id').as('id'))
      .executeTakeFirst();
    return [rows[0]?.id ?? 0, rows[1]?.id ?? 0, Number(seeded?.id ?? 0)];
  });
});
test.after.always(() => server?.close());

const ids = (document: HalDocument) => embeddedIds(document, 'tickets');
const listing = (path: string) => getOk<Listing>(server, path);

const both = encodeURIComponent(`${a} ${b}`);

test('two prefixes of many words that seldom meet: the matches among the newest rows, as a lower bound', async (t) => {
  const page = await listing(`/tickets?q=${both}`);
  t.deepEqual(ids(page), [recent], 'the old match is not read');
  t.like(page.page, { totalElements: 1, totalElementsIsLowerBound: true });
  t.is(page._links.last, undefined, 'no last page where only a lower bound is known');
  const { body } = await getJson<Results>(server, `/search?q=${both}`);
  t.deepEqual(ids(body), [recent]);
  t.deepEqual([body.matches.tickets, body.matchesAreLowerBounds.tickets], [1, true]);
});

test('a rare word beside them is looked up by itself: the old match is found, counted exactly', async (t) => {
  const page = await listing(`/tickets?q=${encodeURIComponent(`${a} ${b} ${rare}`)}`);
  t.deepEqual(ids(page), [old]);
  t.like(page.page, { totalElements: 1, totalElementsIsLowerBound: false });
});

test('prefixes of many words that meet often among the newest rows: walked newest first, counted to the bound', async (t) => {
  const page = await listing(`/tickets?q=${encodeURIComponent(`${a} ${d}`)}&size=2`);
  t.is(page.order, 'newest');
  t.deepEqual(ids(page), [last, last - 2]);
  t.like(page.page, { totalElements: 3, totalElementsIsLowerBound: true });
});

test('the words searched among the newest rows are those of the latest title and description', async (t) => {
  const q = `/tickets?q=${encodeURIComponent(`${a} ${c}`)}`;
  t.like((await listing(q)).page, { totalElements: 0, totalElementsIsLowerBound: true }, 'only old tickets hold c');
  const { body, etag } = await createTicket(server, { title: `Fresh ${a}z` });
  const edit = async (fields: object, version: string) => {
    const response = await server.fetch(`/tickets/${body.id}`, json('PATCH', fields, { 'If-Match': version }));
    t.is(response.status, 200);
    return response.headers.get('etag') ?? '';
  };
  const described = await edit({ description: `Now about ${c}z.` }, etag);
  t.deepEqual(ids(await listing(q)), [body.id], 'found by its new description');
  await edit({ title: 'Fresh, renamed' }, described);
  t.deepEqual(ids(await listing(q)), [], 'no longer found by its old title');
});

test('one of the common words alone is walked newest first, as before', async (t) => {
  const page = await listing(`/tickets?q=${a}&size=2`);
  t.is(page.order, 'newest');
  t.is(ids(page).length, 2);
  t.like(page.page, { totalElements: 3, totalElementsIsLowerBound: true });
});
