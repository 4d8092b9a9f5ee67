// Methods on every route: HEAD mirrors GET, OPTIONS lists Allow, other methods are 405 with Allow,
// unknown methods 501, unknown paths 404 — each error a problem document.
import test from 'ava';
import { expectProblem } from '../helpers/problem.ts';
import { counts, createFaq, createTicket } from '../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../helpers/server.ts';

let server: TestServer;
let routes: { path: string; allow: string[] }[];
test.before(async () => {
  server = await startTestServer();
  const ticket = await createTicket(server);
  const faq = await createFaq(server);
  routes = [
    { path: '/', allow: ['GET', 'HEAD'] },
    { path: '/tickets', allow: ['GET', 'HEAD', 'POST'] },
    { path: ticket.location, allow: ['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT'] },
    { path: `${ticket.location}/promote`, allow: ['POST'] },
    { path: `${ticket.location}/merge`, allow: ['POST'] },
    { path: '/faqs', allow: ['GET', 'HEAD', 'POST'] },
    { path: faq.location, allow: ['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT'] },
    { path: '/search', allow: ['GET', 'HEAD'] },
  ];
});
test.after.always(() => server.close());

const allowOf = (response: Response) =>
  (response.headers.get('allow') ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
    .sort();

test('OPTIONS on every route answers with Allow listing its methods', async (t) => {
  for (const { path, allow } of routes) {
    const response = await server.fetch(path, { method: 'OPTIONS' });
    t.true(response.status === 200 || response.status === 204, `${path}: ${response.status}`);
    t.deepEqual(allowOf(response), allow, path);
    await response.arrayBuffer();
  }
});

test('HEAD on every readable route has the headers of GET and no body', async (t) => {
  for (const { path } of routes.filter((route) => route.allow.includes('HEAD'))) {
    const get = await server.fetch(path);
    const getBody = await get.text();
    const head = await server.fetch(path, { method: 'HEAD' });
    t.is(head.status, 200, path);
    t.is(await head.text(), '', path);
    t.is(head.headers.get('content-type'), get.headers.get('content-type'), path);
    t.is(head.headers.get('etag'), get.headers.get('etag'), path);
    t.is(head.headers.get('content-length'), String(Buffer.byteLength(getBody)), path);
  }
});

test('a method a route does not support is a 405 problem with Allow, and changes nothing', async (t) => {
  const before = await counts(server);
  const everyMethod = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  for (const { path, allow } of routes) {
    for (const method of everyMethod.filter((m) => !allow.includes(m))) {
      const init =
        method === 'GET' ? { method } : json(method, { title: 'x', requester: 'x@example.com', question: 'x' });
      const response = await server.fetch(path, init);
      await expectProblem(t, response, 405);
      t.deepEqual(allowOf(response), allow, `${method} ${path}`);
    }
  }
  t.deepEqual(await counts(server), before);
});

test('DELETE /tickets and PUT / are 405 with Allow', async (t) => {
  const collection = await server.fetch('/tickets', { method: 'DELETE' });
  await expectProblem(t, collection, 405);
  t.deepEqual(allowOf(collection), ['GET', 'HEAD', 'POST']);
  const home = await server.fetch('/', json('PUT', {}));
  await expectProblem(t, home, 405);
  t.deepEqual(allowOf(home), ['GET', 'HEAD']);
});

test('a method the server does not know is a 501 problem', async (t) => {
  await expectProblem(t, await server.fetch('/tickets', { method: 'PROPFIND' }), 501);
});

test('paths that are not ours are 404 problems, whatever the method', async (t) => {
  for (const path of [
    '/nothing',
    '/Tickets',
    '/tickets/',
    '/tickets/1/',
    '/tickets/1/faqs',
    '/faqs/1/promote',
    '/search/x',
    '/%2e%2e/etc/passwd',
  ]) {
    await expectProblem(t, await server.fetch(path), 404);
  }
  await expectProblem(t, await server.fetch('/nothing', json('POST', {})), 404);
  await expectProblem(t, await server.fetch('/nothing', { method: 'DELETE' }), 404);
});
