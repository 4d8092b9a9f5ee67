// Full-text matching with SQLite FTS5. User text never reaches the FTS query language: it is cut into words,
// each quoted and matched as a prefix, all of them required.
import { type Expression, type SqlBool, sql } from 'kysely';

export type SearchableTable = 'tickets' | 'faqs';

/** The FTS5 query for free text, or undefined when the text holds no word at all (so nothing can match). */
export function ftsQuery(text: string): string | undefined {
  const words = text.normalize('NFC').match(/[\p{L}\p{N}]+/gu);
  if (!words) return undefined;
  return words.slice(0, 16).map((word) => `"${word}"*`).join(' ');
}

/** A condition on `id` of the table: the row matches the text. */
export function matchesText(table: SearchableTable, text: string): Expression<SqlBool> {
  const query = ftsQuery(text);
  if (query === undefined) return sql<SqlBool>`0`;
  const fts = sql.table(`${table}_fts`);
  return sql<SqlBool>`${sql.ref(`${table}.id`)} IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ${query})`;
}

/** Every matching row's id with its BM25 rank (lower is better), to join and order by. */
export function rankedMatches(table: SearchableTable, text: string) {
  const query = ftsQuery(text);
  const fts = sql.table(`${table}_fts`);
  if (query === undefined) return sql<{ id: number; rank: number }>`(SELECT NULL AS id, NULL AS rank WHERE 0)`;
  return sql<{ id: number; rank: number }>`(SELECT rowid AS id, rank FROM ${fts} WHERE ${fts} MATCH ${query})`;
}
