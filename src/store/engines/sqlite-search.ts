// Search on SQLite: FTS5 indexes (unicode61, diacritics removed), every word a prefix. FTS5 answers a prefix term
// by merging the lists of every word it begins before returning the first row (50 ms for "printer" in a million
// tickets, whatever the LIMIT), so a word is first looked up in the table of the words tickets hold
// (tickets_terms) and searched as the few whole words it begins: those FTS5 walks in id order and stops early.
import type SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';
import {
  type PreparedMatch,
  type SearchableTable,
  type TextSearch,
  indexedWords,
  searchWords,
} from '../text-search.ts';

/** The FTS5 query for free text, or undefined when the text holds no word at all. */
function ftsQuery(text: string): string | undefined {
  return searchWords(text)
    ?.map((word) => `"${word}"*`)
    .join(' ');
}

/** A word that begins more words than this is searched as an FTS5 prefix after all (a merge, but correct). */
const MAX_EXPANSION = 64;

/** The tables that keep a list of their words (migration 0007-search-terms). */
const WITH_TERMS: ReadonlySet<SearchableTable> = new Set(['tickets']);

/** The words of a row's columns, distinct, as JSON (helpdesk_words in SQL, for the triggers that keep the list). */
export function registerSearchFunctions(database: SQLite.Database): void {
  database.function('helpdesk_words', { deterministic: true, varargs: true }, (...parts: unknown[]) =>
    JSON.stringify([...new Set(parts.flatMap((part) => (typeof part === 'string' ? indexedWords(part) : [])))]),
  );
}

/** The first string after every string that starts with `prefix` (UTF-8 order, as SQLite compares text). */
const pastPrefix = (prefix: string) => `${prefix}\u{10ffff}`;

/** One word as an FTS5 expression: the words it begins, or its prefix; undefined when no ticket has such a word. */
async function wordQuery(db: Kysely<Database>, table: SearchableTable, word: string): Promise<string | undefined> {
  const folded = indexedWords(word);
  const [prefix] = folded;
  if (!WITH_TERMS.has(table) || folded.length !== 1 || prefix === undefined) return `"${word}"*`;
  const { rows } = await sql<{ term: string }>`SELECT term FROM ${sql.table(`${table}_terms`)}
    WHERE term >= ${prefix} AND term < ${pastPrefix(prefix)} ORDER BY term LIMIT ${MAX_EXPANSION + 1}`.execute(db);
  if (rows.length === 0) return undefined;
  if (rows.length > MAX_EXPANSION) return `"${word}"*`;
  // Terms hold only letters and digits: nothing in them needs escaping inside the quotes.
  return `(${rows.map(({ term }) => `"${term}"`).join(' OR ')})`;
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
  async prepare(db, table, text): Promise<PreparedMatch | undefined> {
    const words = searchWords(text);
    if (!words) return undefined;
    const parts: string[] = [];
    for (const word of words) {
      const part = await wordQuery(db, table, word);
      if (part === undefined) return undefined;
      parts.push(part);
    }
    const query = parts.join(' AND ');
    return {
      index: sql<{ id: number }>`${index(table)}`.as('m'),
      key: sql<number>`m.rowid`,
      // The MATCH operand is the table's own hidden column, here under the alias.
      condition: sql<boolean>`m.${sql.raw(`${table}_fts`)} MATCH ${query}`,
      rowMatches: (id) =>
        sql<boolean>`EXISTS (SELECT 1 FROM ${index(table)} WHERE ${index(table)} MATCH ${query} AND rowid = ${id})`,
    };
  },
};
