// Reads one page of the rows that match a text search, at a bounded cost whatever the text: when the index holds
// few matches (at most `bound`), all of them are read, ranked and counted exactly; beyond that, the page is read
// newest first straight from the index (it walks in id order and stops at the page), and the count stops at the
// bound, flagged as a lower bound, as large search engines report "at least" counts.
import type { Page, PageRequest, Slice } from './pagination.ts';

/** How a page of matches is ordered: by relevance (best first, then newest), or newest first. */
export type MatchOrder = 'relevance' | 'newest';

export interface MatchPage<T> extends Page<T> {
  order: MatchOrder;
  /** totalElements (and so totalPages) counted only this far: there are at least that many. */
  totalElementsIsLowerBound: boolean;
}

/** The queries of one search, as the store of its kind runs them. */
export interface MatchQueries<Row> {
  /** Rows of the index that match (whether visible to the caller or not), counted no further than `atMost`. */
  indexed(atMost: number): Promise<number>;
  /** The caller's matching rows, counted no further than `atMost`. */
  count(atMost: number): Promise<number>;
  /** The caller's matching rows in a slice of id order. */
  rows(slice: Slice): Promise<Row[]>;
  /**
   * Every one of the caller's matching rows, in no order, when the index holds few: no ORDER BY or LIMIT, so that
   * PostgreSQL looks the few up in the GIN index rather than walk the id index for them (all of it, for none).
   */
  few(): Promise<Row[]>;
  /**
   * Both counts at once, where one statement costs less than two (SQLite, PreparedMatch.joinedStatements):
   * `indexed` and `count`, each no further than `atMost`.
   */
  counts?(atMost: number): Promise<{ indexed: number; counted: number }>;
  /**
   * Both counts and the rows of a page read by number (no cursor) in one statement, where the engine can read its
   * matches once inside a statement (PostgreSQL's rarest-word lookup): `rows` are every one of the caller's
   * matches when the index holds fewer than `atMost` (to rank), else the page at `offset`; counts stop at `atMost`.
   */
  firstPage?: (
    offset: number,
    size: number,
    atMost: number,
  ) => Promise<{ indexed: number; counted: number; rows: Row[] }>;
  /** The index was read only in part (see PreparedMatch.partial): every count is a lower bound. */
  partial?: boolean;
}

/** Relevance of a row to the words of the query (higher is better), computed the same way on every engine. */
export type Score<Row> = (row: Row) => number;

export async function readMatches<Row extends { id: number }>(
  request: PageRequest,
  bound: number,
  queries: MatchQueries<Row>,
  score: Score<Row>,
): Promise<MatchPage<Row>> {
  const { firstPage } = queries;
  if (firstPage && request.after === undefined && request.before === undefined)
    return fromFirstPage(request, bound, firstPage, score, queries.partial ?? false);
  const counts = await queries.counts?.(bound + 1);
  if ((counts?.indexed ?? (await queries.indexed(bound + 1))) <= bound)
    return ranked(request, await queries.few(), score, queries.partial ?? false);
  // A page read from a cursor or from the start does not depend on the count: both at once (on PostgreSQL, two
  // connections: one round trip's wait instead of two). A page number further on waits for the count.
  const early = newestSlice(request, Infinity);
  const [counted, read] = await Promise.all([
    counts?.counted ?? queries.count(bound + 1),
    early.offset === 0 ? queries.rows(early) : undefined,
  ]);
  const total = Math.min(counted, bound);
  const slice = newestSlice(request, total);
  const items = slice.limit === 0 ? [] : (read ?? (await queries.rows(slice)));
  if (slice.reverse) items.reverse();
  return page(request, items, total, counted > bound || (queries.partial ?? false), 'newest');
}

/** readMatches in one statement (MatchQueries.firstPage): the same answer, one round trip. */
async function fromFirstPage<Row extends { id: number }>(
  request: PageRequest,
  bound: number,
  firstPage: NonNullable<MatchQueries<Row>['firstPage']>,
  score: Score<Row>,
  partial: boolean,
): Promise<MatchPage<Row>> {
  // A page number past the bound reaches past any count (it stops there): its page is not read, as newestSlice
  // decides for the statements of one page; read, it would walk that far down the index first.
  const offset = (request.number - 1) * request.size;
  const { indexed, counted, rows } = await firstPage(offset, offset < bound ? request.size : 0, bound + 1);
  if (indexed <= bound) return ranked(request, rows, score, partial);
  const total = Math.min(counted, bound);
  const slice = newestSlice(request, total);
  return page(request, slice.limit === 0 ? [] : rows, total, counted > bound || partial, 'newest');
}

/** Few enough to rank: all of them, the best first, then the newest. Cursors name a row to page from. */
function ranked<Row extends { id: number }>(
  request: PageRequest,
  all: Row[],
  score: Score<Row>,
  partial: boolean,
): MatchPage<Row> {
  const { number, size } = request;
  const scores = new Map(all.map((row) => [row.id, score(row)]));
  const sorted = all.sort((a, b) => (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0) || b.id - a.id);
  const at = (id: number | undefined) => (id === undefined ? -1 : sorted.findIndex((row) => row.id === id));
  let start = (number - 1) * size;
  if (at(request.after) >= 0) start = at(request.after) + 1;
  else if (at(request.before) >= 0) start = Math.max(0, at(request.before) - size);
  return page(request, sorted.slice(start, start + size), sorted.length, partial, 'relevance');
}

/** Newest first: `before` an id reads on down, `after` one reads back up; page numbers reach as far as the count. */
function newestSlice(request: PageRequest, total: number): Slice {
  const { number, size, after, before } = request;
  if (before !== undefined) return { order: 'desc', offset: 0, limit: size, before, reverse: false };
  if (after !== undefined) return { order: 'asc', offset: 0, limit: size, after, reverse: true };
  const offset = (number - 1) * size;
  // Past the counted matches a page number is not followed (that would walk an unbounded stretch of the index).
  return { order: 'desc', offset, limit: offset < total ? size : 0, reverse: false };
}

function page<Row>(
  request: PageRequest,
  items: Row[],
  total: number,
  lowerBound: boolean,
  order: MatchOrder,
): MatchPage<Row> {
  return {
    items,
    number: request.number,
    size: request.size,
    totalElements: total,
    totalPages: Math.max(1, Math.ceil(total / request.size)),
    order,
    totalElementsIsLowerBound: lowerBound,
  };
}

/** Per query word, how strongly a field's words begin with it (saturating), weighted by field. */
export function wordScore(
  queryWords: readonly string[],
  fields: readonly { words: readonly string[]; weight: number }[],
): number {
  let score = 0;
  for (const query of queryWords) {
    for (const { words, weight } of fields) {
      let hits = 0;
      for (const word of words) if (word.startsWith(query)) hits += 1;
      score += (weight * hits) / (hits + 1);
    }
  }
  return score;
}
