// Headers every answer carries, and what errors never show: nosniff on everything (errors included), no-store
// on whatever an authenticated caller receives, and no stack trace, file name or SQL in any error body.
import test from 'ava';
import SQLite from 'better-sqlite3';
import { Endpoint } from '../../src/links/registry.ts';
import { createFaq, createTicket, requester } from '../helpers/access-fixtures.ts';
import { problemShapeErrors } from '../helpers/access-problems.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

let server: TestServer;
let limited: TestServer;

test.before(async () => {
  [server, limited] = await Promise.all([
    startTestServer({}, (routes) => {
      // Bugs on purpose: a real SQLite error and an error whose message carries SQL and a file position.
      routes.get(new Endpoint('/broken-sql'), () => {
        const database = new SQLite(':memory:');
        try {
          database.prepare('SELECT secret_hash FROM tokens WHERE id = 1').get();
        } finally {
          database.close();
        }
      });
      routes.get(new Endpoint('/broken'), () => {
        throw new Error('UPDATE tickets SET status = 1 failed at Object.<anonymous> (/srv/src/store/tickets.ts:42:7)');
      });
    }),
    startTestServer({ ANONYMOUS_RATE_LIMIT: '1/60' }),
  ]);
});
test.after.always(() => Promise.all([server?.close(), limited?.close()]));

/** What must never reach a client: stack frames, source files, SQL, the database's name for itself. */
const LEAKS = [
  /\n\s+at /,
  /\bat \S+ \(.*:\d+:\d+\)/,
  /\.(ts|js):\d+/,
  /node_modules/,
  /\bSELECT\b/,
  /\bUPDATE \w+ SET\b/,
  /\bINSERT INTO\b/,
  /sqlite/i,
  /constraint/i,
  /secret_hash/,
];

/** Requests that each provoke an error, with the status they must get. */
async function provocations(): Promise<[string, string, RequestInit, number][]> {
  const alice = await requester(server, 'alice');
  const ticket = await createTicket(server, alice.email);
  const closed = await createTicket(server, alice.email, { status: 'closed' });
  const deleted = await createTicket(server, alice.email);
  await server.fetch(`/tickets/${deleted.id}`, { method: 'DELETE' });
  const faq = await createFaq(server);
  const big = JSON.stringify({ title: 'x'.repeat(200_000), requester: 'a@customers.example' });
  return [
    ['an unknown path', '/nowhere', {}, 404],
    ['a path that is no id', '/tickets/abc', {}, 404],
    ['an id too large for a number', '/tickets/99999999999999999999999', {}, 404],
    ['a method the route lacks', '/', { method: 'DELETE' }, 405],
    ['a method nobody knows', '/', { method: 'PROPFIND' }, 501],
    ['an Accept nothing matches', '/tickets', { headers: { Accept: 'text/csv' } }, 406],
    [
      'malformed JSON',
      '/tickets',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"title": ' },
      400,
    ],
    [
      'a prototype-polluting key',
      '/tickets',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"__proto__": {"admin": true}, "title": "x"}',
      },
      400,
    ],
    [
      'a body that is not JSON',
      '/tickets',
      { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' },
      415,
    ],
    [
      'a body past the limit',
      '/tickets',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big },
      413,
    ],
    ['a bad query', '/tickets?page=0&size=1000', {}, 400],
    ['a stale If-Match', `/tickets/${ticket.id}`, json('PATCH', { priority: 'low' }, { 'If-Match': '"v99"' }), 412],
    ['a change to a closed ticket', `/tickets/${closed.id}`, json('PATCH', { priority: 'low' }), 409],
    ['a duplicate FAQ question (a unique index underneath)', '/faqs', json('POST', { question: faq.question }), 409],
    ['a reference to no ticket', '/faqs', json('POST', { question: 'Where to?', source: 999_999 }), 400],
    ['a deleted ticket', `/tickets/${deleted.id}`, {}, 410],
    ['an unknown token', '/', { headers: { Authorization: 'Bearer hd_nobody' } }, 401],
    [
      'a requester deleting their ticket',
      `/tickets/${ticket.id}`,
      { method: 'DELETE', headers: { Authorization: `Bearer ${alice.token}` } },
      403,
    ],
    ['a failing query', '/broken-sql', {}, 500],
    ['an error carrying SQL and a stack frame', '/broken', {}, 500],
  ];
}

test('every error is a problem with nosniff and no stack trace, file or SQL in it', async (t) => {
  for (const [what, path, init, status] of await provocations()) {
    const response = await server.fetch(path, init);
    const text = await response.text();
    t.is(response.status, status, `${what}: ${text}`);
    t.is(response.headers.get('x-content-type-options'), 'nosniff', what);
    if (init.method !== 'HEAD')
      t.deepEqual(
        problemShapeErrors(response.status, response.headers.get('content-type'), JSON.parse(text)),
        [],
        what,
      );
    for (const leak of LEAKS) t.notRegex(text, leak, what);
  }
  await limited.as(null).fetch('/');
  const tooMany = await limited.as(null).fetch('/');
  t.is(tooMany.status, 429);
  t.is(tooMany.headers.get('x-content-type-options'), 'nosniff');
});

test('successful answers of every kind carry nosniff', async (t) => {
  const ticket = await createTicket(server, 'someone@customers.example');
  const answers = [
    await server.fetch('/'),
    await server.as(null).fetch('/faqs'),
    await server.fetch('/tickets', json('POST', { title: 'New', requester: 'a@customers.example' })),
    await server.fetch(`/tickets/${ticket.id}`, { method: 'DELETE' }),
    await server.fetch('/', { method: 'HEAD' }),
    await server.fetch('/', { method: 'OPTIONS' }),
    await server.fetch('/rels/promote', { headers: { Accept: 'text/html' } }),
    await server.fetch('/schemas/ticket'),
  ];
  for (const response of answers) {
    t.true(response.status < 300, `${response.url} ${response.status}`);
    t.is(response.headers.get('x-content-type-options'), 'nosniff', response.url);
  }
});

test('whatever an authenticated caller receives is no-store: reads, writes, 304s and errors', async (t) => {
  const alice = await requester(server, 'alice');
  const ticket = await createTicket(server, alice.email);
  const read = await server.fetch(`/tickets/${ticket.id}`);
  const answers = [
    read,
    // An explicit Cache-Control, so that fetch does not add `no-cache` to the conditional request on its own.
    await server.fetch(`/tickets/${ticket.id}`, {
      headers: { 'If-None-Match': read.headers.get('etag')!, 'Cache-Control': 'max-age=0' },
    }),
    await server.as(alice.token).fetch('/'),
    await server.as(alice.token).fetch('/faqs'),
    await server.fetch('/tickets', json('POST', { title: 'New', requester: 'a@customers.example' })),
    await server.fetch(`/tickets/${ticket.id}`, json('PATCH', { priority: 'high' })),
    await server.as(alice.token).fetch(`/tickets/${ticket.id}`, { method: 'DELETE' }),
    await server.as(alice.token).fetch('/tickets/999999'),
    await server.as('hd_nobody').fetch('/faqs'),
  ];
  t.is(answers[1]!.status, 304);
  for (const response of answers)
    t.is(response.headers.get('cache-control'), 'no-store', `${response.status} ${response.url}`);
});

test('anonymous answers vary by Authorization, so no cache hands them to a signed-in caller or back', async (t) => {
  for (const path of ['/', '/faqs', '/search?q=printer']) {
    const response = await server.as(null).fetch(path);
    t.is(response.status, 200);
    t.true(
      (response.headers.get('vary') ?? '')
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .includes('authorization'),
      path,
    );
  }
});
