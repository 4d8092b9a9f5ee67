// Search on SQLite: FTS5 indexes (unicode61, diacritics removed), every word a prefix. FTS5 answers a prefix term
// by merging the lists of every word it begins before returning the first row (50 ms for "printer" in a million
// tickets, whatever the LIMIT), so a word is first looked up in the table of the words tickets hold
// (tickets_terms) and searched as the few whole words it begins: those FTS5 walks in id order and stops early.
import type SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';
import { type SearchableTable, type TextSearch, indexedWords, searchWords } from '../text-search.ts';

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

/** The words of a row's columns, distinct, as JSON (helpdesk_words in SQL, for the triggers that keep the list). */
export function registerSearchFunctions(database: SQLite.Database): void {
  database.function('helpdesk_words', { deterministic: true, varargs: true }, rowWords);
}

/** The first string after every string that starts with `prefix` (UTF-8 order, as SQLite compares text). */
const pastPrefix = (prefix: string) => `${prefix}\u{10ffff}`;

/**
 * Each word as an FTS5 expression: the words it begins, or its prefix; undefined when some word begins no word any
 * ticket has (nothing can match). The words are looked up together, in one statement: on the search thread every
 * statement is a message there and back.
 */
async function wordQueries(
  db: Kysely<Database>,
  table: SearchableTable,
  words: readonly string[],
): Promise<string[] | undefined> {
  const looked = words.map((word) => {
    const folded = indexedWords(word);
    return WITH_TERMS.has(table) && folded.length === 1 ? folded[0] : undefined;
  });
  const lookups = looked.flatMap((prefix, at) =>
    prefix === undefined
      ? []
      : [
          sql`SELECT * FROM (SELECT ${at} AS word, term FROM ${sql.table(`${table}_terms`)}
            WHERE term >= ${prefix} AND term < ${pastPrefix(prefix)} ORDER BY term LIMIT ${MAX_EXPANSION + 1})`,
        ],
  );
  const terms = words.map((): string[] => []);
  if (lookups.length > 0) {
    const { rows } = await sql<{ word: number; term: string }>`${sql.join(lookups, sql` UNION ALL `)}`.execute(db);
    for (const { word, term } of rows) terms[word]?.push(term);
  }
  const parts = words.map((word, at) => {
    const begun = terms[at] ?? [];
    if (looked[at] === undefined || begun.length > MAX_EXPANSION) return asPrefix(word);
    // Terms hold only letters and digits: nothing in them needs escaping inside the quotes.
    return begun.length === 0 ? undefined : `(${begun.map((term) => `"${term}"`).join(' OR ')})`;
  });
  return parts.every((part) => part !== undefined) ? parts : undefined;
}

const index = (table: SearchableTable) => sql.table(`${table}_fts`);

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
  async prepare(db, table, text) {
    const words = searchWords(text);
    if (!words) return undefined;
    const parts = await wordQueries(db, table, words);
    if (!parts) return undefined;
    const query = parts.join(' AND ');
    return {
      statementsAreTrips: true,
      index: sql<{ id: number }>`${index(table)}`.as('m'),
      key: sql<number>`m.rowid`,
      // The MATCH operand is the table's own hidden column, here under the alias.
      condition: sql<boolean>`m.${sql.raw(`${table}_fts`)} MATCH ${query}`,
      rowMatches: (id) =>
        sql<boolean>`EXISTS (SELECT 1 FROM ${index(table)} WHERE ${index(table)} MATCH ${query} AND rowid = ${id})`,
    };
  },
};
