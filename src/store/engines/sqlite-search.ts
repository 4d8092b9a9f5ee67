// Search on SQLite: FTS5 indexes (unicode61, diacritics removed), every word a quoted prefix term.
import { sql } from 'kysely';
import { type SearchableTable, type TextSearch, searchWords } from '../text-search.ts';

/** The FTS5 query for free text, or undefined when the text holds no word at all. */
export function ftsQuery(text: string): string | undefined {
  return searchWords(text)?.map((word) => `"${word}"*`).join(' ');
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
};
