// planSlice is the spec of paging: for every size, total and page, the slice it plans picks exactly the rows
// that page holds in id order, whether the page is reached by number or by a next/prev cursor.
import test from 'ava';
import { type PageRequest, type Slice, planSlice, totalPages } from '../../src/store/pagination.ts';

/** Runs a slice over ids 1..total the way the store's query does, then restores id order. */
function run(slice: Slice, total: number): number[] {
  let rows = Array.from({ length: total }, (_, i) => i + 1);
  if (slice.after !== undefined) rows = rows.filter((id) => id > slice.after!);
  if (slice.before !== undefined) rows = rows.filter((id) => id < slice.before!);
  if (slice.order === 'desc') rows.reverse();
  rows = rows.slice(slice.offset, slice.offset + slice.limit);
  return slice.reverse ? rows.reverse() : rows;
}

function expected(total: number, size: number, number: number): number[] {
  return Array.from({ length: total }, (_, i) => i + 1).slice((number - 1) * size, number * size);
}

test('totalPages is at least one, even for an empty collection', (t) => {
  t.is(totalPages(0, 20), 1);
  t.is(totalPages(1, 20), 1);
  t.is(totalPages(20, 20), 1);
  t.is(totalPages(21, 20), 2);
  t.is(totalPages(53, 5), 11);
});

test('a page by number holds exactly its rows, from either end, for every total and size', (t) => {
  const wrong: string[] = [];
  for (let total = 0; total <= 40; total++) {
    for (let size = 1; size <= 7; size++) {
      for (let number = 1; number <= totalPages(total, size); number++) {
        const slice = planSlice({ number, size }, total);
        const rows = slice && run(slice, total);
        if (JSON.stringify(rows) !== JSON.stringify(expected(total, size, number)))
          wrong.push(`page ${number} of ${total} by ${size}: ${JSON.stringify(rows)}`);
      }
    }
  }
  t.deepEqual(wrong, []);
});

test('following next and prev cursors gives the same pages as page numbers', (t) => {
  for (const [total, size] of [
    [53, 5],
    [10, 5],
    [1, 3],
    [7, 1],
  ] as const) {
    const pages = totalPages(total, size);
    let request: PageRequest = { number: 1, size };
    const forward: number[][] = [];
    for (let number = 1; number <= pages; number++) {
      const rows = run(planSlice(request, total)!, total);
      forward.push(rows);
      request = { number: number + 1, size, after: rows[rows.length - 1]! };
    }
    t.deepEqual(
      forward,
      Array.from({ length: pages }, (_, i) => expected(total, size, i + 1)),
    );
    const back: number[][] = [forward[pages - 1]!];
    for (let number = pages - 1; number >= 1; number--) {
      const rows = run(planSlice({ number, size, before: back[0]![0]! }, total)!, total);
      back.unshift(rows);
    }
    t.deepEqual(back, forward, `back from the last page of ${total} by ${size}`);
  }
});

test('pages in the second half are read from the end, so the last page costs what the first does', (t) => {
  t.deepEqual(planSlice({ number: 1, size: 5 }, 53), { order: 'asc', offset: 0, limit: 5, reverse: false });
  t.deepEqual(planSlice({ number: 11, size: 5 }, 53), { order: 'desc', offset: 0, limit: 3, reverse: true });
  t.deepEqual(planSlice({ number: 10, size: 5 }, 53), { order: 'desc', offset: 3, limit: 5, reverse: true });
});

test('cursors seek without an offset whatever the page number', (t) => {
  t.deepEqual(planSlice({ number: 900, size: 5, after: 4495 }, 10_000), {
    order: 'asc',
    offset: 0,
    limit: 5,
    after: 4495,
    reverse: false,
  });
  t.deepEqual(planSlice({ number: 900, size: 5, before: 4501 }, 10_000), {
    order: 'desc',
    offset: 0,
    limit: 5,
    before: 4501,
    reverse: true,
  });
});

test('a page past the end plans nothing (an empty page, not an error)', (t) => {
  t.is(planSlice({ number: 12, size: 5 }, 53), undefined);
  t.is(planSlice({ number: 2, size: 20 }, 0), undefined);
  t.deepEqual(planSlice({ number: 1, size: 20 }, 0), { order: 'asc', offset: 0, limit: 20, reverse: false });
});
