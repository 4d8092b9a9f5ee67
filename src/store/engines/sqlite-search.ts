// Search on SQLite: FTS5 indexes (unicode61, diacritics removed), every word a prefix. FTS5 answers a prefix term
// by merging the lists of every word it begins before returning the first row (50 ms for "printer" in a million
// tickets, whatever the LIMIT), so a word is first looked up in the table of the words tickets hold
// (tickets_terms) and searched as the few whole words it begins: those FTS5 walks in id order and stops early.
// Words that each begin a great many words ("5 6 9") would still be merges that nothing bounds: those are checked
// against the newest rows' lists of their words instead (tickets_words), as PostgreSQL checks its documents.
import type SQLite from 'better-sqlite3';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../schema.ts';
import {
  type PreparedMatch,
  type SearchableTable,
  type TextSearch,
  constant,
  indexedWords,
  searchWords,
} from '../text-search.ts';

/** A word as a prefix of the index's own: correct for any word, but a merge of every word it begins. */
const asPrefix = (word: string) => `"${word}"*`;

/** The FTS5 query for free text, or undefined when the text holds no word at all. */
function ftsQuery(text: string): string | undefined {
  return searchWords(text)?.map(asPrefix).join(' ');
}

/** A word that begins more words than this is searched as an FTS5 prefix after all (a merge, but correct). */
const MAX_EXPANSION = 64;

/** The tables that keep a list of their words (migration 0007-search-terms). */
const WITH_TERMS: ReadonlySet<SearchableTable> = new Set(['tickets']);

/** The distinct words of a row's columns, as a JSON list; a loop, since a trigger runs it on every create. */
function rowWords(...parts: unknown[]): string {
  const words = new Set<string>();
  for (const part of parts) if (typeof part === 'string') for (const word of indexedWords(part)) words.add(word);
  return JSON.stringify([...words]);
}

/** The bit of a folded word's first character: one each for 0-9 and a-z, one for every other character. */
function initialBit(word: string): number {
  const code = word.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 10;
  return 36;
}

/**
 * The bits of the first characters of some folded words (37 bits: summed, not OR'ed, as JavaScript's bitwise
 * operators stop at 32). A row whose mask lacks a query word's bit holds no word beginning with it: the probe of
 * the newest rows tests this integer before it reads the row's list (0.11 ms for 4,000 rows instead of 0.5).
 */
function initialsOf(words: Iterable<string>): number {
  const bits = new Set<number>();
  for (const word of words) if (word.length > 0) bits.add(initialBit(word));
  let mask = 0;
  for (const bit of bits) mask += 2 ** bit;
  return mask;
}

/** A row's word list (JSON) as its initials (helpdesk_initials in SQL, migration 0010-search-word-initials). */
const listInitials = (list: unknown) => (typeof list === 'string' ? initialsOf(JSON.parse(list) as string[]) : 0);

/**
 * The words of a row's columns, distinct, as JSON (helpdesk_words in SQL, for the triggers that keep the list),
 * and their initials.
 */
export function registerSearchFunctions(database: SQLite.Database): void {
  database.function('helpdesk_words', { deterministic: true, varargs: true }, rowWords);
  database.function('helpdesk_initials', { deterministic: true }, listInitials);
}

/** The first string after every string that starts with `prefix` (UTF-8 order, as SQLite compares text). */
const pastPrefix = (prefix: string) => `${prefix}\u{10ffff}`;

/** What a search may read on SQLite, as multiples of the search bound (SEARCH_BOUND, 200 by default). */
const limits = (bound: number) => ({
  /** The newest rows whose word lists are checked one by one (4,000), as PostgreSQL's probe reads. */
  probeRows: 20 * bound,
  probeMatches: bound + 1,
  /**
   * Words begun, all query words together, past which their prefix merges are not run (2,000: FTS5 merges about
   * 2 µs a word, so about 4 ms at a million tickets; "5 6 9" begins 333,000). Each word's are counted no further.
   */
  widest: 10 * bound,
});
type Limits = ReturnType<typeof limits>;

/** A query's words looked up: each as an FTS5 expression, and, when every word begins too many words, their folded forms. */
interface LookedUp {
  parts: string[];
  /** Some word is searched as an FTS5 prefix: FTS5 merges every list it begins before it returns a row. */
  merged: boolean;
  wide?: string[];
}

const begins = (prefix: string) => sql`term >= ${prefix} AND term < ${pastPrefix(prefix)}`;

/** The prefix begins more than MAX_EXPANSION words (SQLite runs this once a statement: it names no outer row). */
function beginsMany(table: SearchableTable, prefix: string): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM ${sql.table(`${table}_terms`)} WHERE ${begins(prefix)} ORDER BY term LIMIT 1 OFFSET ${constant(MAX_EXPANSION)})`;
}

/**
 * A query word's lookup: the words it begins, when they are MAX_EXPANSION at most; else one row that says so
 * (`term` NULL), rather than words that would not be used, each a row built and sent from the search thread.
 */
function lookup(table: SearchableTable, at: number, prefix: string) {
  const terms = sql.table(`${table}_terms`);
  const many = beginsMany(table, prefix);
  // NOT many outside the LIMIT: inside it, SQLite would test it on every word begun, all 111,000 of "5".
  return sql`SELECT * FROM (SELECT ${constant(at)} AS word, term, NULL AS begun FROM ${terms}
      WHERE ${begins(prefix)} ORDER BY term LIMIT ${constant(MAX_EXPANSION)}) WHERE NOT ${many}
    UNION ALL SELECT ${constant(at)}, NULL, NULL WHERE ${many}`;
}

/**
 * When every word begins more than MAX_EXPANSION words, how many they begin together, up to `widest`: one scan of
 * the words begun, word after word, that stops at `widest` in all (2,000 index entries at most, however many words
 * the query has), and none where it cannot matter.
 */
function begunInAll(table: SearchableTable, prefixes: readonly (string | undefined)[], { widest }: Limits) {
  const terms = sql.table(`${table}_terms`);
  const every = prefixes.filter((prefix) => prefix !== undefined);
  if (every.length < prefixes.length) return undefined;
  const allWide = sql.join(
    every.map((prefix) => beginsMany(table, prefix)),
    sql` AND `,
  );
  const each = every.map((prefix) => sql`SELECT 1 FROM ${terms} WHERE ${begins(prefix)}`);
  return sql`SELECT -1 AS word, NULL AS term,
    CASE WHEN ${allWide} THEN (SELECT count(*) FROM (${sql.join(each, sql` UNION ALL `)} LIMIT ${constant(widest)})) ELSE 0 END AS begun`;
}

/**
 * Each word as an FTS5 expression: the words it begins, or its prefix; undefined when some word begins no word any
 * ticket has (nothing can match). The words are looked up together, in one statement (each statement costs its
 * compile and its run through Kysely, some tens of µs). `wide` when every word is a prefix of more than MAX_EXPANSION words and
 * they begin `widest` words in all: merging them would cost more than reading the newest rows.
 */
async function wordQueries(
  db: Kysely<Database>,
  table: SearchableTable,
  words: readonly string[],
  limit: Limits,
): Promise<LookedUp | undefined> {
  const looked = words.map((word) => {
    const folded = indexedWords(word);
    return WITH_TERMS.has(table) && folded.length === 1 ? folded[0] : undefined;
  });
  const asked = looked.flatMap((prefix, at) => (prefix === undefined ? [] : [lookup(table, at, prefix)]));
  const begunAsked = begunInAll(table, looked, limit);
  if (begunAsked) asked.push(begunAsked);
  const terms = words.map((): string[] => []);
  const many = new Set<number>();
  let begun = 0;
  if (asked.length > 0) {
    const { rows } = await sql<{ word: number; term: string | null; begun: number | null }>`${sql.join(
      asked,
      sql` UNION ALL `,
    )}`.execute(db);
    for (const row of rows)
      if (row.word < 0) begun = row.begun ?? 0;
      else if (row.term === null) many.add(row.word);
      else terms[row.word]?.push(row.term);
  }
  const parts = words.map((word, at) => {
    const found = terms[at] ?? [];
    if (looked[at] === undefined || many.has(at)) return asPrefix(word);
    // Terms hold only letters and digits: nothing in them needs escaping inside the quotes.
    return found.length === 0 ? undefined : `(${found.map((term) => `"${term}"`).join(' OR ')})`;
  });
  if (!parts.every((part) => part !== undefined)) return undefined;
  const prefixes = looked.filter((prefix) => prefix !== undefined);
  const tooMany = many.size === words.length && begun >= limit.widest;
  return { parts, merged: many.size > 0, ...(tooMany ? { wide: prefixes } : {}) };
}

const index = (table: SearchableTable) => sql.table(`${table}_fts`);
const lists = (table: SearchableTable) => sql.table(`${table}_words`);

/** A row of a word-list table (`row`: its alias, if any) holds a word beginning with each prefix. */
function listHolds(row: string | undefined, prefixes: readonly string[]): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(row === undefined ? name : `${row}.${name}`);
  const mask = initialsOf(prefixes);
  // Each word follows a quote. instr, not GLOB '*"5*': a quarter cheaper over the probe's 4,000 lists.
  return sql<boolean>`(${column('initials')} & ${mask}) = ${mask} AND (${sql.join(
    prefixes.map((prefix) => sql`instr(${column('words')}, ${`"${prefix}`}) > 0`),
    sql` AND `,
  )})`;
}

/**
 * Words that each begin more words than FTS5 should merge ("5 6 9": 111,000 each at a million tickets, 170 ms
 * whatever the LIMIT), answered from the rows' word lists, as PostgreSQL answers the same query: the newest
 * probeRows lists are checked one by one. With bound + 1 matches among them, matches are common: the lists are
 * walked newest first, which stops at the page (and the count at the bound). With fewer, the answer is those
 * matches alone, flagged as partial: older rows were not read.
 */
async function newestLists(
  db: Kysely<Database>,
  table: SearchableTable,
  prefixes: readonly string[],
  { probeRows, probeMatches }: Limits,
): Promise<PreparedMatch> {
  // The newest probeRows ids (rows are never deleted; an insert rolled back leaves a gap, and fewer rows), read by
  // key: a fifth cheaper than ORDER BY id DESC LIMIT in a subquery.
  const { rows } = await sql<{ id: number }>`SELECT id FROM ${lists(table)}
    WHERE id > (SELECT max(id) FROM ${lists(table)}) - ${constant(probeRows)} AND ${listHolds(undefined, prefixes)}
    ORDER BY id DESC LIMIT ${constant(probeMatches)}`.execute(db);
  const ids = rows.map(({ id }) => id);
  const rowMatches = (id: RawBuilder<number>) =>
    sql<boolean>`EXISTS (SELECT 1 FROM ${lists(table)} WHERE id = ${id} AND ${listHolds(undefined, prefixes)})`;
  if (ids.length >= probeMatches)
    return {
      joinedStatements: true,
      index: sql<{ id: number }>`${lists(table)}`.as('m'),
      key: sql<number>`m.id`,
      condition: listHolds('m', prefixes),
      rowMatches,
      atLeast: ids.length,
    };
  return {
    joinedStatements: true,
    index: sql<{ id: number }>`(SELECT value AS id FROM json_each(${JSON.stringify(ids)}))`.as('m'),
    key: sql<number>`m.id`,
    condition: sql<boolean>`1`,
    rowMatches,
    ids,
    partial: true,
  };
}

export const sqliteSearch: TextSearch = {
  matches(table, text) {
    const query = ftsQuery(text);
    if (query === undefined) return sql<boolean>`0`;
    return sql<boolean>`${sql.ref(`${table}.id`)} IN (SELECT rowid FROM ${index(table)} WHERE ${index(table)} MATCH ${query})`;
  },
  rankedMatches(table, text) {
    const query = ftsQuery(text);
    if (query === undefined) return sql`(SELECT NULL AS id, NULL AS rank WHERE 0)`;
    // A raw subquery joined as a table must bring its own parentheses.
    return sql`(SELECT rowid AS id, rank FROM ${index(table)} WHERE ${index(table)} MATCH ${query})`;
  },
  async prepare(db, table, text, bound) {
    const words = searchWords(text);
    if (!words) return undefined;
    const limit = limits(bound);
    const looked = await wordQueries(db, table, words, limit);
    if (!looked) return undefined;
    if (looked.wide) return newestLists(db, table, looked.wide, limit);
    const query = looked.parts.join(' AND ');
    return {
      joinedStatements: true,
      // A word searched as a prefix is merged whole before the first row, and every match is in that merged
      // list: reading all the matches once, in id order, costs about what the merge did. Read newest first
      // instead, FTS5 seeks backwards through the other words' lists, 0.5 ms through a word in every ticket
      // ("case 123"), for the count and again for the page. So the matches are read once, in one statement
      // with both counts and the page (PreparedMatch.matches).
      ...(looked.merged
        ? {
            matches: sql<{
              id: number;
            }>`(SELECT rowid AS id FROM ${index(table)} WHERE ${index(table)} MATCH ${query})`,
          }
        : {}),
      index: sql<{ id: number }>`${index(table)}`.as('m'),
      key: sql<number>`m.rowid`,
      // The MATCH operand is the table's own hidden column, here under the alias.
      condition: sql<boolean>`m.${sql.raw(`${table}_fts`)} MATCH ${query}`,
      rowMatches: (id) =>
        sql<boolean>`EXISTS (SELECT 1 FROM ${index(table)} WHERE ${index(table)} MATCH ${query} AND rowid = ${id})`,
    };
  },
};
