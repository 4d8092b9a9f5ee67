// Reads one page of a listing: plans the slice, runs the caller's query for it and restores id order.
import { type Page, type PageRequest, type Slice, planSlice, totalPages } from './pagination.ts';

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
