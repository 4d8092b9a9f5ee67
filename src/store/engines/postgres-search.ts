// Search on PostgreSQL: a tsvector per row, built from the same words FTS5 would index, under a GIN index; every
// query word a prefix lexeme, all of them required, ranked by ts_rank. No text-search parser or dictionary is
// involved on either side, so "e-mail", "alice@example.com" or "v1.2" split into words exactly as on SQLite.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../schema.ts';
import {
  type PreparedMatch,
  type SearchableTable,
  type TextSearch,
  indexedWords,
  searchWords,
} from '../text-search.ts';

/** PostgreSQL refuses lexemes of 2 KB and more; documents leave such words out, so queries cannot find them. */
const MAX_LEXEME_BYTES = 2046;

/** The tsquery text for free text (each word a quoted prefix, all required), or undefined when nothing can match. */
function tsQueryText(text: string): string | undefined {
  const words = searchWords(text);
  if (!words || words.some((word) => Buffer.byteLength(word) > MAX_LEXEME_BYTES)) return undefined;
  // Words hold only letters and digits: nothing in them needs escaping inside the quotes.
  return words.map((word) => `'${word}':*`).join(' & ');
}

/** The query, folded in the database as the documents were (helpdesk_fold), then read as a tsquery. */
function tsQuery(text: string) {
  const query = tsQueryText(text);
  return query === undefined ? undefined : sql`helpdesk_fold(${query})::tsquery`;
}

/**
 * What ANALYZE saw of the index: the most common words with the share of rows holding each, the smallest share it
 * kept, and the rows in all. Read at most once a minute per database and table (ANALYZE runs far less often).
 */
interface WordShares {
  shares: Map<string, number>;
  least: number;
  rows: number;
}

const SHARES_FOR_MS = 60_000;
const sharesRead = new WeakMap<
  Kysely<Database>,
  Map<SearchableTable, { at: number; shares: Promise<WordShares | undefined> }>
>();

async function readShares(db: Kysely<Database>, table: SearchableTable): Promise<WordShares | undefined> {
  const { rows } = await sql<{ words: string[] | null; shares: number[] | null; rows: number }>`
    SELECT s.most_common_elems::text::text[] AS words, s.most_common_elem_freqs AS shares, c.reltuples::float8 AS rows
    FROM pg_class AS c LEFT JOIN pg_stats AS s ON s.schemaname = current_schema() AND s.tablename = c.relname AND s.attname = 'document'
    WHERE c.oid = to_regclass(${`${table}_search`})`.execute(db);
  const found = rows[0];
  // Never analysed (a new or small table): nothing to go by, and nothing large to avoid.
  if (!found?.words || !found.shares || found.rows <= 0) return undefined;
  const { words, shares } = found;
  // The shares array ends with three summary values (least, greatest, share of empty rows): not words.
  const least = shares[words.length];
  if (least === undefined) return undefined;
  return { shares: new Map(words.map((word, i) => [word, shares[i] ?? least])), least, rows: found.rows };
}

function wordShares(db: Kysely<Database>, table: SearchableTable): Promise<WordShares | undefined> {
  let tables = sharesRead.get(db);
  if (!tables)
    sharesRead.set(db, (tables = new Map<SearchableTable, { at: number; shares: Promise<WordShares | undefined> }>()));
  const read = tables.get(table);
  if (read && Date.now() - read.at < SHARES_FOR_MS) return read.shares;
  const shares = readShares(db, table);
  tables.set(table, { at: Date.now(), shares });
  return shares;
}

/** The share of rows that hold a word beginning with `prefix`, as ANALYZE's common words tell (at most 1). */
function shareOf(prefix: string, { shares, least }: WordShares): number {
  let share = 0;
  for (const [word, of] of shares) if (word.startsWith(prefix)) share += of;
  // A word not among the common ones is rarer than the rarest of them.
  return Math.min(1, share || least);
}

/**
 * What a search may read, as multiples of the search bound (SEARCH_BOUND, 200 by default: the figures below are
 * for it), so that a small bound in a test takes every path on a few hundred tickets.
 * - fewEnoughToSort (20,000): rows beyond this and the rarest word's rows are too many to read all of (through
 *   GIN) and sort: the index is then walked newest first instead, which stops as soon as the page is full (at once,
 *   for words that common).
 * - probeRows (4,000): the newest rows the probe reads; bound + 1 matches among them make a query common enough to
 *   walk for.
 * - mostGathered (100,000): the most rows the GIN lookup of every word (all of them common) may gather, by
 *   ANALYZE's estimate; beyond it the answer is what the probe found among the newest rows, flagged as partial.
 */
const limits = (bound: number) => ({
  fewEnoughToSort: 100 * bound,
  probeRows: 20 * bound,
  probeMatches: bound + 1,
  mostGathered: 500 * bound,
});
type Limits = ReturnType<typeof limits>;

/** The query words with the share of rows ANALYZE says begin with each (words the index folds apart are left out). */
function wordSharesOf(text: string, shares: WordShares): { word: string; share: number }[] {
  const found: { word: string; share: number }[] = [];
  for (const word of searchWords(text) ?? []) {
    const folded = indexedWords(word);
    const [only] = folded;
    if (folded.length !== 1 || only === undefined) continue;
    found.push({ word, share: shareOf(only, shares) });
  }
  return found;
}

/** At most this share of the index lacks one of the words, by ANALYZE's count: see rarestWord. */
const NEARLY_NONE = 0.01;

/**
 * The query word whose GIN lookup reads fewest rows, when those are few enough to read all of. GIN answers a
 * prefix by gathering every row of every word it begins before it can combine terms, so "case 123456" read all
 * million rows holding "case" to find one; looked up by "123456" alone and rechecked, it reads one. Also the rows
 * the lookup of every word would gather (undefined when ANALYZE has not seen the index), and whether (nearly) every
 * row holds every word: then a walk for a page and a count of bound + 1 reads at most those plus the 1 row in 100
 * that lacks one, and needs no probe first ("printer", in every ticket: one round trip fewer).
 */
function rarestWord(
  shares: WordShares | undefined,
  text: string,
  { fewEnoughToSort, probeRows }: Limits,
): { rarest?: string; gathered?: number; everywhere?: boolean } {
  if (!shares) return {};
  const words = wordSharesOf(text, shares);
  const rarest = words.reduce<(typeof words)[number] | undefined>(
    (a, b) => (!a || b.share < a.share ? b : a),
    undefined,
  );
  if (rarest && rarest.share * shares.rows <= fewEnoughToSort) return { rarest: rarest.word };
  // An index the probe reads all of (rows are never deleted, so one that held more still does) needs no bound.
  if (shares.rows <= probeRows) return {};
  const lacking = words.reduce((sum, { share }) => sum + (1 - share), 0);
  return {
    gathered: words.reduce((sum, { share }) => sum + share * shares.rows, 0),
    everywhere: words.length === searchWords(text)?.length && lacking <= NEARLY_NONE,
  };
}

const index = (table: SearchableTable) => sql.table(`${table}_search`);

/**
 * The rows of `lookup` through GIN, read once, newest first: a MATERIALIZED CTE, so that it is neither merged with
 * the rest of the query (the planner would add the other words to the GIN lookup, which gathers their rows too)
 * nor run again for every row of a nested loop, as a plain subquery was when the table's statistics were stale (5 s
 * for 3,000 tickets). Sorted here, a page joins only its own tickets (20 of 1,111 for "case 123", not all of them).
 */
const lookedUp = (table: SearchableTable, lookup: RawBuilder<unknown>): RawBuilder<{ id: number }> =>
  sql`(WITH found AS MATERIALIZED (SELECT id, document FROM ${index(table)} WHERE document @@ ${lookup}) SELECT id, document FROM found ORDER BY id DESC)`;

/** Index rows already known to match, by id alone (their documents need no second look). */
const onlyRows = (ids: number[]): RawBuilder<{ id: number }> =>
  sql`(SELECT id FROM unnest(${ids}::integer[]) AS known (id) ORDER BY id DESC)`;

/** The ids of matches among the newest `probeRows` rows of the index, at most `probeMatches` of them. */
async function probe(
  db: Kysely<Database>,
  table: SearchableTable,
  query: RawBuilder<unknown>,
  { probeRows, probeMatches }: Limits,
): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`SELECT id FROM
    (SELECT id, document FROM ${index(table)} ORDER BY id DESC LIMIT ${probeRows}) AS newest
    WHERE document @@ ${query} LIMIT ${probeMatches}`.execute(db);
  return rows.map(({ id }) => id);
}

/**
 * The index rows a search reads, chosen so that reading them costs little whatever the words:
 * - by the rarest word, when ANALYZE says it is in few rows: those rows through GIN, the whole query checked on
 *   each, the page sorted from what is left;
 * - else the index itself, walked newest first through the key as the planner does for common words, when
 *   ANALYZE says nearly every row holds every word, or the newest rows are full of matches (the probe finds
 *   bound + 1 among the newest): a page, and a count up to the bound, stop within those rows;
 * - else every match through GIN, sorted: common words that seldom meet (or not lately) are few together, and
 *   walking the key for them read up to every row;
 * - unless that lookup would gather more rows than mostGathered ("5 6 9": each word begins 111,000 numbers, 0.5 s
 *   at a million): then only the matches the probe found among the newest rows, and the answer says it is partial.
 */
async function indexFor(
  db: Kysely<Database>,
  table: SearchableTable,
  text: string,
  query: RawBuilder<unknown>,
  bound: number,
): Promise<Omit<PreparedMatch, 'index' | 'key' | 'condition' | 'rowMatches'> & { rows: RawBuilder<{ id: number }> }> {
  const limit = limits(bound);
  const { rarest, gathered, everywhere } = rarestWord(await wordShares(db, table), text, limit);
  const driven = rarest === undefined ? undefined : tsQuery(rarest);
  if (driven) return byRarest(table, driven, query);
  if (everywhere) return { rows: sql`${index(table)}`, atLeast: limit.probeMatches };
  const ids = await probe(db, table, query, limit);
  if (ids.length >= limit.probeMatches) return { rows: sql`${index(table)}`, atLeast: ids.length };
  if (gathered === undefined || gathered <= limit.mostGathered) return { rows: lookedUp(table, query) };
  return { rows: onlyRows(ids), ids, partial: true };
}

/**
 * The matches of the rarest word's rows, as one subquery of their ids: the GIN lookup of that word alone (a prefix
 * such as "123" is 1,111 words, most of a search's cost), then the whole query checked on each row found (OFFSET 0
 * keeps the planner from adding the other words to the lookup). The store reads it once, as the head of the one
 * statement that counts the matches and reads the first page (`PreparedMatch.matches`); other statements (a page
 * from a cursor) read it as an index of their own, newest first.
 */
function byRarest(
  table: SearchableTable,
  driven: RawBuilder<unknown>,
  query: RawBuilder<unknown>,
): { rows: RawBuilder<{ id: number }>; matches: RawBuilder<{ id: number }> } {
  // Each tsquery a subquery of its own, so that a plan made once (PLAN_ONCE) folds it once, not once a row.
  const matches = sql<{ id: number }>`(SELECT id FROM
    (SELECT id, document FROM ${index(table)} WHERE document @@ (SELECT ${driven}) OFFSET 0) AS found
    WHERE document @@ (SELECT ${query}))`;
  // Elsewhere materialised, as lookedUp is, so that no nested loop runs the lookup again for each of its rows.
  return {
    rows: sql`(WITH every_match AS MATERIALIZED ${matches} SELECT id FROM every_match ORDER BY id DESC)`,
    matches,
  };
}

export const postgresSearch: TextSearch = {
  matches(table, text) {
    const query = tsQuery(text);
    if (query === undefined) return sql<boolean>`false`;
    return sql<boolean>`${sql.ref(`${table}.id`)} IN (SELECT id FROM ${index(table)} WHERE document @@ ${query})`;
  },
  rankedMatches(table, text) {
    const query = tsQuery(text);
    if (query === undefined) return sql`(SELECT NULL::integer AS id, NULL::real AS rank WHERE false)`;
    // ts_rank grows with relevance; the stores order by rank ascending, as FTS5's bm25 reads.
    return sql`(SELECT id, -ts_rank(document, ${query}) AS rank FROM ${index(table)} WHERE document @@ ${query})`;
  },
  async prepare(db, table, text, bound): Promise<PreparedMatch | undefined> {
    const query = tsQuery(text);
    if (query === undefined) return undefined;
    const { rows, ...known } = await indexFor(db, table, text, query, bound);
    return {
      ...known,
      index: rows.as('m'),
      key: sql<number>`m.id`,
      condition: known.ids || known.matches ? sql<boolean>`true` : sql<boolean>`m.document @@ ${query}`,
      rowMatches: (id) =>
        sql<boolean>`EXISTS (SELECT 1 FROM ${index(table)} AS s WHERE s.id = ${id} AND s.document @@ ${query})`,
    };
  },
};
