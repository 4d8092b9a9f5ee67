// Full-text search as the stores see it: free text is cut into words here, once for every engine, and each engine
// turns the words into its own query language (FTS5 on SQLite, tsquery on PostgreSQL). User text never reaches
// either query language as such: every word is matched as a prefix, all of them required.
import type { Expression, RawBuilder, SqlBool } from 'kysely';

export type SearchableTable = 'tickets' | 'faqs';

/** Longer queries are cut here: sixteen words narrow a search as far as it usefully goes. */
const MAX_WORDS = 16;

/** The words of free text (letters and digits, NFC), or undefined when there is none (so nothing can match). */
export function searchWords(text: string): string[] | undefined {
  const words = text.normalize('NFC').match(/[\p{L}\p{N}]+/gu);
  return words ? words.slice(0, MAX_WORDS) : undefined;
}

/** What an engine provides for search; the stores use only this. */
export interface TextSearch {
  /** A condition on `<table>.id`: the row matches the text. */
  matches(table: SearchableTable, text: string): Expression<SqlBool>;
  /** A parenthesised subquery of every matching row's id with its rank (lower is better), to join and order by. */
  rankedMatches(table: SearchableTable, text: string): RawBuilder<{ id: number; rank: number }>;
}
