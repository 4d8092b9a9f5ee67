// Query parameters of every bad kind get a 400 naming the parameter (never a 500), and change nothing;
// text that is legitimate, however odd, is a 200.
import test from 'ava';
import { embedded, halViolations } from '../helpers/hal.ts';
import { expectProblem } from '../helpers/problem.ts';
import { counts, createFaq, createTicket, send } from '../helpers/seed.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
  await createTicket(server, { title: 'Query target' });
  await createFaq(server, { question: 'Query target?' });
});
test.after.always(() => server.close());

const collections = ['/tickets', '/faqs'];

async function refusedNaming(t: import('ava').ExecutionContext, path: string, parameters: string[]) {
  const problem = await expectProblem(t, await server.fetch(path), 400);
  t.deepEqual([...new Set(problem.errors?.map((e) => e.parameter))].sort(), [...parameters].sort(), path);
  t.regex(problem.detail, new RegExp(parameters[0]!));
}

test('page sizes outside 1 to 100 are a 400 naming size', async (t) => {
  for (const collection of collections) {
    for (const size of ['10000', '101', '0', '-1', '1.5', 'abc', '1e2', '0x10', ' 5', '5 ', '99999999999999999999']) {
      await refusedNaming(t, `${collection}?size=${encodeURIComponent(size)}`, ['size']);
    }
  }
});

test('page numbers that are not whole numbers from 1 are a 400 naming page; an empty page means the first', async (t) => {
  for (const collection of collections) {
    for (const page of ['-1', '0', 'abc', '1.5', '+1', '%00', '1e3', '9999999999999999999999']) {
      await refusedNaming(t, `${collection}?page=${encodeURIComponent(page)}`, ['page']);
    }
    const { status, text } = await send(server, `${collection}?page=`);
    t.is(status, 200);
    t.is(JSON.parse(text).page.number, 1);
  }
});

test('a parameter given twice is a 400 naming it', async (t) => {
  await refusedNaming(t, '/tickets?page=1&page=2', ['page']);
  await refusedNaming(t, '/tickets?size=5&size=5', ['size']);
  await refusedNaming(t, '/tickets?status=open&status=closed', ['status']);
  await refusedNaming(t, '/faqs?source=1&source=2', ['source']);
  await refusedNaming(t, '/search?q=a&q=b', ['q']);
});

test('every bad parameter of a request is named at once', async (t) => {
  await refusedNaming(t, '/tickets?page=0&size=10000&status=lost', ['page', 'size', 'status']);
});

test('a status that is not one of the resource is a 400 naming status', async (t) => {
  await refusedNaming(t, '/tickets?status=draft', ['status']);
  await refusedNaming(t, '/tickets?status=OPEN', ['status']);
  await refusedNaming(t, '/faqs?status=open', ['status']);
});

test('a source that names no ticket is a 400 naming source', async (t) => {
  for (const source of ['abc', '0', '/faqs/1', 'http://example.com/tickets/1', '/tickets/1/merge']) {
    await refusedNaming(t, `/faqs?source=${encodeURIComponent(source)}`, ['source']);
  }
});

test('cursors outside their range are a 400 naming them', async (t) => {
  await refusedNaming(t, '/tickets?after=-1', ['after']);
  await refusedNaming(t, '/tickets?before=0', ['before']);
  await refusedNaming(t, '/tickets?after=x', ['after']);
});

test('q over 200 characters is a 400 naming q', async (t) => {
  for (const path of ['/tickets', '/faqs', '/search']) {
    await refusedNaming(t, `${path}?q=${'x'.repeat(201)}`, ['q']);
  }
});

test('odd but legitimate text in q is a 200 with a valid, possibly empty, page', async (t) => {
  const texts = [
    "'; DROP TABLE tickets; --",
    '"',
    '*',
    'AND OR NOT',
    'NEAR(',
    '%',
    '_',
    '\u0000',
    '😀',
    'עברית',
    '   ',
    '\\',
    '{id}',
    'a'.repeat(200),
  ];
  for (const path of ['/tickets', '/faqs', '/search']) {
    for (const q of texts) {
      const response = await server.fetch(`${path}?q=${encodeURIComponent(q)}`);
      t.is(response.status, 200, `${path} ${JSON.stringify(q)}`);
      const body = await response.json();
      t.deepEqual(halViolations(body), []);
      if (path !== '/search') t.true(Array.isArray(embedded(body, path.slice(1))));
    }
  }
});

test('parameters the API does not know are ignored', async (t) => {
  t.is((await send(server, '/tickets?colour=red')).status, 200);
});

test.serial('bad queries change nothing', async (t) => {
  const before = await counts(server);
  for (const path of [
    '/tickets?size=10000',
    '/tickets?page=-1',
    "/tickets?q='; DROP TABLE tickets; --",
    '/faqs?q=NEAR(',
    '/search?q="',
  ]) {
    await send(server, path);
  }
  t.deepEqual(await counts(server), before);
  t.deepEqual(before, { tickets: 1, faqs: 1 });
});
