// Search on PostgreSQL: a tsvector per row, built from the same words FTS5 would index, under a GIN index; every
// query word a prefix lexeme, all of them required, ranked by ts_rank. No text-search parser or dictionary is
// involved on either side, so "e-mail", "alice@example.com" or "v1.2" split into words exactly as on SQLite.
import { sql } from 'kysely';
import { type PreparedMatch, type SearchableTable, type TextSearch, searchWords } from '../text-search.ts';

/** PostgreSQL refuses lexemes of 2 KB and more; documents leave such words out, so queries cannot find them. */
const MAX_LEXEME_BYTES = 2046;

/** The tsquery text for free text (each word a quoted prefix, all required), or undefined when nothing can match. */
export function tsQueryText(text: string): string | undefined {
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

const index = (table: SearchableTable) => sql.table(`${table}_search`);

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
  async prepare(_db, table, text): Promise<PreparedMatch | undefined> {
    const query = tsQuery(text);
    if (query === undefined) return undefined;
    return {
      index: sql<{ id: number }>`${index(table)}`.as('m'),
      key: sql<number>`m.id`,
      condition: sql<boolean>`m.document @@ ${query}`,
      rowMatches: (id) => sql<boolean>`EXISTS (SELECT 1 FROM ${index(table)} AS s WHERE s.id = ${id} AND s.document @@ ${query})`,
    };
  },
};
