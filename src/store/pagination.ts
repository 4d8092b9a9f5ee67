// Plans which rows a page needs so that following first/next/prev/last costs the same at any depth:
// cursors (after/before an id) seek through the index, and page numbers are read from the nearer end.

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
