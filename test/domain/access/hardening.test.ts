// What review of the access rules added: no filter or redirect that reveals what a caller may not see,
// guessing tokens costs requests, metrics are for operators, tags that differ by role, and emails without case.
import test, { type ExecutionContext } from 'ava';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

async function withServer(t: ExecutionContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  t.teardown(() => server.close());
  return server;
}

async function created(
  server: TestServer,
  path: string,
  body: object,
  token?: string,
): Promise<{ id: number; location: string }> {
  const response = await (token ? server.as(token) : server).fetch(path, json('POST', body));
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return { id: ((await response.json()) as { id: number }).id, location: response.headers.get('location')! };
}

async function totalOf(server: TestServer, token: string | null, path: string): Promise<number> {
  const response = await server.as(token).fetch(path);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  return ((await response.json()) as { page: { totalElements: number } }).page.totalElements;
}

test('filtering FAQs by source shows them only to callers who may see that ticket', async (t) => {
  const server = await withServer(t);
  const ann = await server.mint('requester', 'ann', 'ann@customers.example');
  const bob = await server.mint('requester', 'bob', 'bob@customers.example');
  const ticket = await created(server, '/tickets', { title: 'Ann asks about refunds' }, ann);
  const promoted = await server.fetch(`${ticket.location}/promote`, { method: 'POST' });
  const faq = promoted.headers.get('location')!;
  t.is((await server.fetch(faq, json('PATCH', { answer: 'Within 30 days.', status: 'published' }))).status, 200);

  const bySource = `/faqs?source=${ticket.id}`;
  t.is(await totalOf(server, server.adminToken, bySource), 1);
  t.is(await totalOf(server, ann, bySource), 1, 'the requester of the ticket');
  t.is(await totalOf(server, bob, bySource), 0, 'another requester learns nothing');
  t.is(await totalOf(server, null, bySource), 0, 'nor does an anonymous caller');
  t.is(await totalOf(server, null, '/faqs'), 1, 'who may still read the FAQ itself');
});

test('guessing tokens counts against the address: past the anonymous limit, bad tokens get 429', async (t) => {
  const server = await withServer(t, { ANONYMOUS_RATE_LIMIT: '3/60' });
  const guesses = [];
  for (let i = 0; i < 5; i++) guesses.push((await server.as(`hd_guess${i}`).fetch('/')).status);
  t.deepEqual(guesses, [401, 401, 401, 429, 429]);
});

test('metrics are for admins: anonymous callers get 401, agents 403, nothing is shown', async (t) => {
  const server = await withServer(t);
  const anonymous = await server.as(null).fetch('/metrics');
  t.is(anonymous.status, 401);
  t.regex(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
  t.false((await anonymous.text()).includes('http_requests_total'));
  const agent = await server.as(await server.mint('agent')).fetch('/metrics');
  t.is(agent.status, 403);
  t.false((await agent.text()).includes('http_requests_total'));
  t.is((await server.fetch('/metrics')).status, 200);
});

test('each role gets its own ETag for one version, since each sees other links and forms', async (t) => {
  const server = await withServer(t);
  const agent = await server.mint('agent');
  const ticket = await created(server, '/tickets', { title: 'Tagged by role', requester: 'r@customers.example' });
  const asAdmin = await server.fetch(ticket.location);
  const asAgent = await server.as(agent).fetch(ticket.location);
  t.not(asAdmin.headers.get('etag'), asAgent.headers.get('etag'));
  const revalidated = await server
    .as(agent)
    .fetch(ticket.location, { headers: { 'If-None-Match': asAdmin.headers.get('etag')! } });
  t.is(revalidated.status, 200, "an admin's copy is not current for an agent");
  const patched = await server
    .as(agent)
    .fetch(ticket.location, json('PATCH', { priority: 'low' }, { 'If-Match': asAdmin.headers.get('etag')! }));
  t.is(patched.status, 200, 'but it names the same version, which If-Match checks');
});

test("a requester's ticket merged into someone else's shows itself, closed, rather than redirect to the other", async (t) => {
  const server = await withServer(t);
  const ann = await server.mint('requester', 'ann2', 'ann2@customers.example');
  const bob = await server.mint('requester', 'bob2', 'bob2@customers.example');
  const anns = await created(server, '/tickets', { title: 'Printer jam' }, ann);
  const bobs = await created(server, '/tickets', { title: 'Printer jam too' }, bob);
  t.is((await server.fetch(`${anns.location}/merge`, json('POST', { into: bobs.id }))).status, 200);
  const asAnn = await server.as(ann).fetch(anns.location);
  t.is(asAnn.status, 200);
  t.is(asAnn.headers.get('location'), null);
  t.is(((await asAnn.json()) as { status: string }).status, 'closed');
  const asAgent = await server.fetch(anns.location);
  t.is(asAgent.status, 301, 'whoever may see the survivor is redirected to it');
  t.is(asAgent.headers.get('location'), bobs.location);
});

test('requesters own their tickets whatever the case of the email', async (t) => {
  const server = await withServer(t);
  const ann = await server.mint('requester', 'ann3', 'Ann.Three@Customers.Example');
  const byAgent = await created(server, '/tickets', {
    title: 'Reported for Ann',
    requester: 'ANN.THREE@customers.example',
  });
  const response = await server.as(ann).fetch(byAgent.location);
  t.is(response.status, 200);
  t.is(((await response.json()) as { requester: string }).requester, 'ann.three@customers.example');
});

test('behind a trusted proxy, anonymous limits count per forwarded address; otherwise X-Forwarded-For is ignored', async (t) => {
  const from = (server: TestServer, address: string) =>
    server
      .as(null)
      .fetch('/', { headers: { 'X-Forwarded-For': address } })
      .then((r) => r.status);
  const proxied = await withServer(t, { TRUST_PROXY: 'true', ANONYMOUS_RATE_LIMIT: '1/60' });
  t.deepEqual(
    [await from(proxied, '203.0.113.1'), await from(proxied, '203.0.113.2'), await from(proxied, '203.0.113.1')],
    [200, 200, 429],
  );
  const direct = await withServer(t, { ANONYMOUS_RATE_LIMIT: '1/60' });
  t.deepEqual(
    [await from(direct, '203.0.113.1'), await from(direct, '203.0.113.2')],
    [200, 429],
    'a forgeable header buys no second bucket',
  );
});
