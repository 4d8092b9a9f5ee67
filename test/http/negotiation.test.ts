// Content negotiation: HAL or plain JSON as Accept allows (HTML goes to the explorer), 406 when it allows none, whatever the route.
import test from 'ava';
import { expectProblem } from '../helpers/problem.ts';
import { createFaq, createTicket } from '../helpers/seed.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

let server: TestServer;
let paths: string[];
test.before(async () => {
  server = await startTestServer();
  const ticket = await createTicket(server);
  const faq = await createFaq(server);
  paths = ['/', '/tickets', ticket.location, '/faqs', faq.location, '/search?q=x'];
});
test.after.always(() => server.close());

const KETTING =
  'application/prs.hal-forms+json;q=1.0, application/hal+json;q=0.9, application/json;q=0.7, text/html;q=0.6';

async function answer(path: string, accept?: string) {
  const response = await server.fetch(path, accept === undefined ? {} : { headers: { Accept: accept } });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    vary: response.headers.get('vary'),
    text,
  };
}

test('Accept that allows HAL gets application/hal+json on every route', async (t) => {
  // Ketting ranks HAL-FORMS first and gets it: HAL with templates added.
  for (const [accept, expected] of [
    ['application/hal+json', 'application/hal+json'],
    ['*/*', 'application/hal+json'],
    ['application/*', 'application/hal+json'],
    [KETTING, 'application/prs.hal-forms+json'],
  ] as const) {
    for (const path of paths) {
      const { status, type, text } = await answer(path, accept);
      t.is(status, 200, `${accept} ${path}`);
      t.is(type, expected, `${accept} ${path}`);
      t.true(JSON.parse(text)._links !== undefined);
    }
  }
});

test('Accept: application/json gets the same document as plain JSON', async (t) => {
  for (const path of paths) {
    const hal = await answer(path, 'application/hal+json');
    const plain = await answer(path, 'application/json');
    t.is(plain.status, 200);
    t.regex(plain.type ?? '', /^application\/json\b/);
    t.deepEqual(JSON.parse(plain.text), JSON.parse(hal.text));
  }
});

test('preferring JSON by q-value gets JSON; an empty Accept header gets HAL', async (t) => {
  t.regex((await answer('/', 'application/hal+json;q=0.5, application/json')).type ?? '', /^application\/json\b/);
  const response = await fetch(new URL('/', server.url), { headers: { Accept: '' } });
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/hal+json');
  await response.arrayBuffer();
});

test('every answer varies by Accept', async (t) => {
  for (const path of paths) t.regex((await answer(path)).vary ?? '', /Accept/i);
});

test('Accept that allows neither HAL nor JSON is a 406 problem on every route', async (t) => {
  for (const accept of ['text/csv', 'application/xml', 'image/png', 'application/hal+json;q=0, application/json;q=0']) {
    for (const path of paths) {
      const problem = await expectProblem(t, await server.fetch(path, { headers: { Accept: accept } }), 406);
      t.regex(problem.detail, /application\/hal\+json/);
    }
  }
});

test('a write with an unacceptable Accept is refused with 406 before it changes anything', async (t) => {
  const before = await answer('/tickets');
  await expectProblem(
    t,
    await server.fetch('/tickets', {
      method: 'POST',
      headers: { Accept: 'text/csv', 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'CSV please', requester: 'csv@example.com' }),
    }),
    406,
  );
  t.is(JSON.parse((await answer('/tickets')).text).page.totalElements, JSON.parse(before.text).page.totalElements);
});
