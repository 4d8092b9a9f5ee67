// A query of a common word and a rare one finds the same tickets, in the same order, however the engine reads
// them: PostgreSQL, once ANALYZE has told it which words are common, looks up the rarest word's rows and checks
// the others on those (src/store/engines/postgres-search.ts); SQLite's FTS5 walks every word's list. SEARCH_BOUND
// is 3 here, so that both the ranked few and the newest-first many are seen.
import test from 'ava';
import { sql } from 'kysely';
import { type HalDocument, embeddedIds, hrefOf } from '../../helpers/hal.ts';
import { getJson, getOk, unique } from '../../helpers/seed.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

interface Listing extends HalDocument {
  order: 'relevance' | 'newest';
  page: { totalElements: number; totalElementsIsLowerBound: boolean };
}

let server: TestServer;
const common = unique('c').split(' ')[1]!;
const rare = unique('r').split(' ')[1]!;
/** Ids of the tickets holding the rare word, oldest first. */
let rareIds: number[] = [];

test.before(async () => {
  server = await startTestServer({ SEARCH_BOUND: '3' });
  // 400 tickets hold the common word; 5 of them, spread over the oldest half, the rare one too (at its start,
  // in the title or only in the description, whole or as the start of a longer word).
  rareIds = await server.inspect(async (db) => {
    await sql`
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
      INSERT INTO tickets (title, description, status, priority, requester, tags, version, created_at, updated_at)
      SELECT ${`Printer ${common}`} || ' ' || i,
        CASE WHEN i IN (10, 50, 90) THEN ${`Also ${rare}.`} WHEN i IN (120, 180) THEN ${`Also ${rare}ish.`} ELSE 'Seeded.' END,
        'open', 'normal', 'bulk@example.com', '[]', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
      FROM n`.execute(db);
    // One of the five is pending: a status filter leaves four, still more than the bound.
    await sql`UPDATE tickets SET status = 'pending' WHERE description LIKE ${`%${rare}%`} AND title LIKE '% 50'`.execute(
      db,
    );
    await sql`ANALYZE`.execute(db);
    const rows = await db
      .selectFrom('tickets')
      .select('id')
      .where('description', 'like', `%${rare}%`)
      .orderBy('id')
      .execute();
    return rows.map(({ id }) => id);
  });
});
test.after.always(() => server?.close());

const ids = (document: HalDocument) => embeddedIds(document, 'tickets');
const listing = (path: string) => getOk<Listing>(server, path);

test('the rare word with the common one: more than the bound, newest first, paged through every match', async (t) => {
  t.is(rareIds.length, 5);
  const newest = [...rareIds].reverse();
  const first = await listing(`/tickets?q=${encodeURIComponent(`${common} ${rare}`)}&size=2`);
  t.is(first.order, 'newest');
  t.deepEqual(ids(first), newest.slice(0, 2));
  t.like(first.page, { totalElements: 3, totalElementsIsLowerBound: true });
  const pages = [ids(first)];
  let page = first;
  for (
    let href: string | undefined = hrefOf(page, 'next');
    href;
    href = (page._links as Record<string, { href: string } | undefined>).next?.href
  ) {
    page = await listing(href);
    pages.push(ids(page));
  }
  t.deepEqual(pages, [newest.slice(0, 2), newest.slice(2, 4), newest.slice(4)]);
});

test('the rare word and a longer word it begins: the longer one narrows to the few, ranked and counted exactly', async (t) => {
  const found = await listing(`/tickets?q=${encodeURIComponent(`${rare}. ${common}`)}`);
  // "rareish" begins with the rare word too: every word is a prefix, so all five match.
  t.is(found.order, 'newest');
  t.deepEqual(ids(found), [...rareIds].reverse());
  t.like(found.page, { totalElements: 3, totalElementsIsLowerBound: true });
  const narrower = await listing(`/tickets?q=${encodeURIComponent(`${common} ${rare}ish`)}`);
  t.is(narrower.order, 'relevance');
  t.deepEqual(ids(narrower), [rareIds[4], rareIds[3]]);
  t.like(narrower.page, { totalElements: 2, totalElementsIsLowerBound: false });
});

test('a page by number and a status filter read the same newest matches, counted to the bound', async (t) => {
  const q = encodeURIComponent(`${common} ${rare}`);
  const open = [...rareIds].reverse().filter((id) => id !== rareIds[1]);
  const second = await listing(`/tickets?q=${q}&size=2&page=2`);
  t.deepEqual(ids(second), [...rareIds].reverse().slice(2, 4));
  const filtered = await listing(`/tickets?q=${q}&status=open&size=2`);
  t.deepEqual(ids(filtered), open.slice(0, 2));
  t.like(filtered.page, { totalElements: 3, totalElementsIsLowerBound: true });
  const further = await listing(`/tickets?q=${q}&status=open&size=2&page=2`);
  t.deepEqual(ids(further), open.slice(2, 4));
  const past = await listing(`/tickets?q=${q}&status=open&size=2&page=3`);
  t.deepEqual(ids(past), []);
  const pending = await listing(`/tickets?q=${q}&status=pending`);
  t.is(pending.order, 'newest');
  t.deepEqual(ids(pending), [rareIds[1]]);
  t.like(pending.page, { totalElements: 1, totalElementsIsLowerBound: false });
});

test('a word no ticket holds, with the common one, finds nothing', async (t) => {
  const found = await listing(`/tickets?q=${encodeURIComponent(`${common} ${unique('n').split(' ')[1]!}`)}`);
  t.deepEqual(ids(found), []);
  t.like(found.page, { totalElements: 0, totalElementsIsLowerBound: false });
});

test('the search resource embeds the same newest matches', async (t) => {
  const { body } = await getJson<HalDocument & { matches: { tickets: number } }>(
    server,
    `/search?q=${encodeURIComponent(`${rare} ${common}`)}`,
  );
  t.deepEqual(ids(body), [...rareIds].reverse());
  t.is(body.matches.tickets, 3);
});
