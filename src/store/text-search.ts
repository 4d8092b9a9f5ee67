// Full-text search as the stores see it: free text is cut into words here, once for every engine, and each engine
// turns the words into its own query language (FTS5 on SQLite, tsquery on PostgreSQL). User text never reaches
// either query language as such: every word is matched as a prefix, all of them required.
import { type AliasedRawBuilder, type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { DROPPED_MARKS, LETTER_FOLDS, SEPARATING_MARKS } from './engines/postgres-fold.ts';
import type { Database } from './schema.ts';

export type SearchableTable = 'tickets' | 'faqs';

/** Longer queries are cut here: sixteen words narrow a search as far as it usefully goes. */
const MAX_WORDS = 16;

/** The words of free text (letters and digits, NFC), or undefined when there is none (so nothing can match). */
export function searchWords(text: string): string[] | undefined {
  const words = text.normalize('NFC').match(/[\p{L}\p{N}]+/gu);
  return words ? words.slice(0, MAX_WORDS) : undefined;
}

const LATIN_LETTER = /[\u00c0-\u024f\u1e00-\u1eff]/g;
const DROPPED = new RegExp(DROPPED_MARKS, 'gu');
const SEPARATING = new RegExp(SEPARATING_MARKS, 'gu');
/** Any code unit beyond ASCII (surrogates included). */
const BEYOND_ASCII = /[\u0080-\uffff]/;
const ASCII_WORD = /[a-z0-9]+/g;

/**
 * Text as the indexes hold it: lower case, Latin letters without diacritics, words of letters and digits (what
 * FTS5's unicode61 with remove_diacritics 2 and helpdesk_fold on PostgreSQL make of it). Ranking and SQLite's
 * term list read words through this, so both engines rank the same rows the same way.
 */
export function indexedWords(text: string): string[] {
  // ASCII text (most tickets) has nothing to fold but case, and its letters and digits are a-z and 0-9: the
  // regular expressions over Unicode classes below cost a create more than the rest of its words' work.
  if (!BEYOND_ASCII.test(text)) return text.toLowerCase().match(ASCII_WORD) ?? [];
  const folded = text
    .toLowerCase()
    .replace(LATIN_LETTER, (letter) => LETTER_FOLDS.get(letter) ?? letter)
    .replace(DROPPED, '')
    .replace(SEPARATING, ' ');
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Ends a statement that an engine may prepare once per connection and plan once for all values (PostgreSQL: a
 * named statement, which it plans once when that costs no more, engines/postgres.ts): only for statements whose
 * plan does not depend on their values (values in subqueries), and whose text comes from a small set.
 */
export const PLAN_ONCE = '/* plan once */';

/**
 * A constant of ours (never user input) written into the statement: SQLite plans `LIMIT 65` better than
 * `LIMIT ?` (a word's lookup took a third less time, a count to the bound 0.15 ms less), and the text of each
 * statement stays one of a few.
 */
export function constant(value: number): RawBuilder<number> {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer constant: ${value}`);
  return sql.lit(value);
}

/**
 * A text query made ready for one engine (SQLite looks up what each word may begin first): the index as a table
 * aliased `m`, to drive a query from in id order, and the same match as a condition on one row.
 */
export interface PreparedMatch {
  /** The index, as `<index> AS m`. */
  index: AliasedRawBuilder<{ id: number }, 'm'>;
  /** The id of an index row (`m.rowid` or `m.id`). */
  key: RawBuilder<number>;
  /** The index row `m` matches. */
  condition: RawBuilder<SqlBool>;
  /** The row whose id is `id` matches (a correlated lookup, for queries driven by another index). */
  rowMatches(id: RawBuilder<number>): RawBuilder<SqlBool>;
  /** At least this many index rows are known to match already (PostgreSQL's probe counted them): no need to count again. */
  atLeast?: number;
  /**
   * Read the tickets joined to the index, in as few statements as the answer allows (SQLite: its planner walks the
   * index first and looks each ticket up by key; PostgreSQL's, unable to tell how few a prefix matches, would
   * hash the whole table against them, so there the few ids are read first).
   */
  joinedStatements?: boolean;
  /** Every matching index row's id, when the engine has read them already (PostgreSQL's partial answer: the probe's). */
  ids?: number[];
  /**
   * Every matching index row's id, as a subquery cheap enough to run once a search (PostgreSQL, when a rare word
   * drives the lookup; SQLite, when a word is searched as a prefix that FTS5 merges whole anyway): the store reads
   * it at the head of one statement that counts the matches and reads the first page, instead of reading the ids
   * first and sending them back (one round trip and 1,111 ids fewer), or reading the index twice.
   */
  matches?: RawBuilder<{ id: number }>;
  /** Only part of the index was read (PostgreSQL: its newest rows), as reading all would cost too much: counts are lower bounds. */
  partial?: boolean;
}

/** What an engine provides for search; the stores use only this. */
export interface TextSearch {
  /** A condition on `<table>.id`: the row matches the text. */
  matches(table: SearchableTable, text: string): Expression<SqlBool>;
  /** A parenthesised subquery of every matching row's id with its rank (lower is better), to join and order by. */
  rankedMatches(table: SearchableTable, text: string): RawBuilder<{ id: number; rank: number }>;
  /**
   * The text as a query on this engine, or undefined when nothing can match (no words, or a word no row has);
   * `bound` is the search bound (SEARCH_BOUND), which scales what the engine may read.
   */
  prepare(
    db: Kysely<Database>,
    table: SearchableTable,
    text: string,
    bound: number,
  ): Promise<PreparedMatch | undefined>;
}
