// Paging: plans which rows a page needs so that following first/next/prev/last costs the same at any depth
// (cursors, after/before an id, seek through the index; page numbers are read from the nearer end), and reads
// that page with the caller's queries.
import { type SelectQueryBuilder, type StringReference, sql } from 'kysely';

export interface PageRequest {
  /** 1-based page number. */
  number: number;
  size: number;
  /** Rows with a greater id (set by `next` links). */
  after?: number;
  /** Rows with a smaller id (set by `prev` links). */
  before?: number;
}

export interface Page<T> {
  items: T[];
  number: number;
  size: number;
  totalElements: number;
  totalPages: number;
}

/** A seek in id order: rows past a cursor, in `order`, skipping `offset`, at most `limit`; `reverse` flips them back. */
export interface Slice {
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
  after?: number;
  before?: number;
  reverse: boolean;
}

export function totalPages(totalElements: number, size: number): number {
  return Math.max(1, Math.ceil(totalElements / size));
}

/** The slice for a request, or undefined when the page is past the end (an empty page, not an error). */
export function planSlice(request: PageRequest, totalElements: number): Slice | undefined {
  const { number, size, after, before } = request;
  if (after !== undefined) return { order: 'asc', offset: 0, limit: size, after, reverse: false };
  if (before !== undefined) return { order: 'desc', offset: 0, limit: size, before, reverse: true };
  const pages = totalPages(totalElements, size);
  if (number > pages) return undefined;
  if (number <= Math.ceil(pages / 2)) return { order: 'asc', offset: (number - 1) * size, limit: size, reverse: false };
  // Nearer the end: count back from the last row, so the last page costs what the first does.
  const rowsAfterPage = Math.max(0, totalElements - number * size);
  const rowsOnPage = Math.min(size, totalElements - (number - 1) * size);
  return { order: 'desc', offset: rowsAfterPage, limit: rowsOnPage, reverse: true };
}

/** Reads one page of a listing: plans the slice, runs the caller's query for it and restores id order. */
export async function readPage<Row>(
  request: PageRequest,
  count: () => Promise<number>,
  rows: (slice: Slice) => Promise<Row[]>,
): Promise<Page<Row>> {
  const totalElements = await count();
  const slice = planSlice(request, totalElements);
  const items = slice ? await rows(slice) : [];
  if (slice?.reverse) items.reverse();
  return {
    items,
    number: request.number,
    size: request.size,
    totalElements,
    totalPages: totalPages(totalElements, request.size),
  };
}

/** How many rows a query's conditions select (a listing's total). */
export async function countRows<DB, TB extends keyof DB>(query: SelectQueryBuilder<DB, TB, object>): Promise<number> {
  // Kysely cannot name the selection of a query generic in its tables: the row is said to be what it is.
  const { n } = await query
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .$castTo<{ n: number | string | bigint }>()
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** A query narrowed to a slice of its rows in the order of `key` (the column that numbers them, `id` unless said). */
export function inSlice<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  slice: Slice,
  key: StringReference<DB, TB> & string = 'id' as StringReference<DB, TB> & string,
): SelectQueryBuilder<DB, TB, O> {
  const column = sql.ref(key);
  if (slice.after !== undefined) query = query.where(column, '>', slice.after);
  if (slice.before !== undefined) query = query.where(column, '<', slice.before);
  return query.orderBy(column, slice.order).limit(slice.limit).offset(slice.offset);
}
