// Walking a collection page by page with the links the server gives: next to the end, prev back to the start,
// every ticket seen exactly once each way, and every link keeping the filters and the size.
import test from 'ava';
import { type HalDocument, embedded, expand, halViolations, hrefOf, linksOf } from '../../helpers/hal.ts';
import { expectProblem } from '../../helpers/problem.ts';
import { createTicket, getJson } from '../../helpers/seed.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

interface Page extends HalDocument {
  page: { size: number; totalElements: number; totalPages: number; number: number };
}

const TOTAL = 53;
let server: TestServer;
let ticketsTemplate: string;
/** Ids by what they were made with: every third ticket is pending, every other one mentions "alpha". */
const ids = { all: [] as number[], pending: [] as number[], pendingAlpha: [] as number[] };

test.before(async () => {
  server = await startTestServer();
  for (let i = 0; i < TOTAL; i++) {
    const status = i % 3 === 0 ? 'pending' : 'open';
    const title = i % 2 === 0 ? `Paging alpha ${i}` : `Paging beta ${i}`;
    const { body } = await createTicket(server, { title, status });
    ids.all.push(body.id);
    if (status === 'pending') ids.pending.push(body.id);
    if (status === 'pending' && i % 2 === 0) ids.pendingAlpha.push(body.id);
  }
  ticketsTemplate = hrefOf((await getJson(server, '/')).body, 'tickets');
});
test.after.always(() => server.close());

async function page(href: string): Promise<Page> {
  const { status, body } = await getJson<Page>(server, href);
  if (status !== 200) throw new Error(`GET ${href} gave ${status}`);
  return body;
}

/** Follows `rel` from `start` until it runs out (bounded, so a loop in the links fails instead of hanging). */
async function walk(start: Page, rel: 'next' | 'prev'): Promise<Page[]> {
  const pages = [start];
  while (pages.length <= 100) {
    const [link] = linksOf(pages[pages.length - 1]!, rel);
    if (!link) return pages;
    pages.push(await page(link.href));
  }
  throw new Error(`more than 100 pages following ${rel}`);
}

const itemIds = (pages: Page[]) => pages.flatMap((p) => embedded(p, 'tickets').map((item) => item.id as number));

function queryOf(href: string): URLSearchParams {
  return new URL(href, 'http://host').searchParams;
}

/** Walks both ways over one filtered listing and checks everything a client relies on. */
async function checkWalk(
  t: import('ava').ExecutionContext,
  filters: Record<string, string>,
  expected: number[],
  size: number,
) {
  const first = await page(expand(ticketsTemplate, { ...filters, size }));
  const forward = await walk(first, 'next');
  const pages = Math.max(1, Math.ceil(expected.length / size));
  t.is(forward.length, pages);
  t.deepEqual(itemIds(forward), expected, 'next sees every ticket once, in order');

  const backward = await walk(forward[forward.length - 1]!, 'prev');
  t.is(backward.length, pages);
  t.deepEqual(itemIds([...backward].reverse()), expected, 'prev sees every ticket once, back to the start');
  t.deepEqual(
    backward.map((p) => itemIds([p])),
    forward.map((p) => itemIds([p])).reverse(),
    'prev pages are the next pages',
  );

  for (const [index, p] of forward.entries()) {
    const number = index + 1;
    t.deepEqual(halViolations(p), []);
    // A search's page also says whether its count is exact (it is: these searches match few tickets).
    const exact = 'q' in filters ? { totalElementsIsLowerBound: false } : {};
    t.deepEqual(p.page, { size, totalElements: expected.length, totalPages: pages, number, ...exact });
    t.is(embedded(p, 'tickets').length, Math.min(size, expected.length - index * size));
    t.is(linksOf(p, 'prev').length, number > 1 ? 1 : 0, `prev on page ${number}`);
    t.is(linksOf(p, 'next').length, number < pages ? 1 : 0, `next on page ${number}`);
    for (const rel of ['self', 'first', 'last']) t.is(linksOf(p, rel).length, 1, `${rel} on page ${number}`);
    for (const rel of ['self', 'first', 'last', 'prev', 'next']) {
      for (const link of linksOf(p, rel)) {
        const query = queryOf(link.href);
        t.true(link.href.startsWith(server.at('/tickets?')), link.href);
        t.is(query.get('size'), String(size), `${rel} keeps the size: ${link.href}`);
        for (const [name, value] of Object.entries(filters))
          t.is(query.get(name), value, `${rel} keeps ${name}: ${link.href}`);
      }
    }
    t.is(queryOf(hrefOf(p, 'first')).get('page'), '1');
    t.is(queryOf(hrefOf(p, 'last')).get('page'), String(pages));
  }
  const last = await page(hrefOf(first, 'last'));
  t.deepEqual(itemIds([last]), itemIds([forward[forward.length - 1]!]), 'last is the page next ends on');
  const firstAgain = await page(hrefOf(last, 'first'));
  t.deepEqual(itemIds([firstAgain]), itemIds([first]), 'first is the page prev ends on');
}

test('next and prev walk all 53 tickets by 5, each exactly once each way', async (t) => {
  await checkWalk(t, {}, ids.all, 5);
});

test('a status filter is kept by every link of the walk', async (t) => {
  t.is(ids.pending.length, 18);
  await checkWalk(t, { status: 'pending' }, ids.pending, 5);
});

test('a status and text filter together are kept by every link of the walk', async (t) => {
  // A search ranks its matches; these are all equally relevant, so they come newest first.
  await checkWalk(t, { status: 'pending', q: 'alpha' }, [...ids.pendingAlpha].reverse(), 2);
});

test('a size that divides the total evenly gives full pages and no empty last page', async (t) => {
  await checkWalk(t, { status: 'pending' }, ids.pending, 6);
});

test('without size the page holds 20, the default', async (t) => {
  const first = await page(expand(ticketsTemplate));
  t.deepEqual(first.page, { size: 20, totalElements: TOTAL, totalPages: 3, number: 1 });
  t.is(embedded(first, 'tickets').length, 20);
  t.is(queryOf(hrefOf(first, 'next')).get('size'), '20');
});

test('size 100 is the most one page holds; 101 is a 400 naming size', async (t) => {
  const big = await page(expand(ticketsTemplate, { size: 100 }));
  t.is(embedded(big, 'tickets').length, TOTAL);
  t.deepEqual(linksOf(big, 'next'), []);
  const problem = await expectProblem(t, await server.fetch(expand(ticketsTemplate, { size: 101 })), 400);
  t.deepEqual(
    problem.errors?.map((e) => e.parameter),
    ['size'],
  );
});

test('a page by number holds the same tickets as the walk reaches there', async (t) => {
  const third = await page(expand(ticketsTemplate, { size: 5, page: 3 }));
  t.deepEqual(itemIds([third]), ids.all.slice(10, 15));
  t.is(third.page.number, 3);
  const ninth = await page(expand(ticketsTemplate, { size: 5, page: 9 }));
  t.deepEqual(itemIds([ninth]), ids.all.slice(40, 45));
  t.deepEqual(itemIds([await page(hrefOf(ninth, 'next'))]), ids.all.slice(45, 50));
  t.deepEqual(itemIds([await page(hrefOf(ninth, 'prev'))]), ids.all.slice(35, 40));
});

test('a page past the end is 200 with an empty tickets array, and prev leads back to the last page', async (t) => {
  const past = await page(expand(ticketsTemplate, { size: 5, page: 12 }));
  t.deepEqual(embedded(past, 'tickets'), []);
  t.deepEqual(past.page, { size: 5, totalElements: TOTAL, totalPages: 11, number: 12 });
  t.deepEqual(linksOf(past, 'next'), []);
  t.deepEqual(halViolations(past), []);
  const back = await page(hrefOf(past, 'prev'));
  t.deepEqual(itemIds([back]), ids.all.slice(50));
  const farPast = await page(expand(ticketsTemplate, { size: 5, page: 1000 }));
  t.deepEqual(embedded(farPast, 'tickets'), []);
});

test('an empty listing is one page with an empty array, first and last but no prev or next', async (t) => {
  const empty = await page(expand(ticketsTemplate, { status: 'solved', size: 5 }));
  t.deepEqual(embedded(empty, 'tickets'), []);
  t.deepEqual(empty.page, { size: 5, totalElements: 0, totalPages: 1, number: 1 });
  t.deepEqual(linksOf(empty, 'prev'), []);
  t.deepEqual(linksOf(empty, 'next'), []);
  t.is(hrefOf(empty, 'first'), hrefOf(empty, 'last'));
  t.deepEqual(halViolations(empty), []);
});
