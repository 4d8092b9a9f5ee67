// Conditional requests: an ETag on every GET, 304 while the client's copy is current, 200 once it is not,
// and 412 for a write whose If-Match names an old version — which then changes nothing.
import test from 'ava';
import { hrefOf, withoutOrigin } from '../helpers/hal.ts';
import { expectProblem } from '../helpers/problem.ts';
import { type TicketBody, createFaq, createTicket, getJson, send, snapshot } from '../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

async function etagOf(path: string): Promise<string> {
  const response = await server.fetch(path);
  await response.arrayBuffer();
  const etag = response.headers.get('etag');
  if (!etag) throw new Error(`no ETag on GET ${path}`);
  return etag;
}

test('every GET carries a strong ETag', async (t) => {
  const ticket = await createTicket(server);
  const faq = await createFaq(server);
  for (const path of [
    '/',
    '/tickets',
    '/tickets?status=open&size=3',
    ticket.location,
    '/faqs',
    faq.location,
    '/search?q=x',
    '/search',
  ]) {
    t.regex(await etagOf(path), /^"[^"]+"$/, path);
  }
  t.is(withoutOrigin(await etagOf(ticket.location)), '"v1-admin"');
  t.is(withoutOrigin(await etagOf(faq.location)), '"v1-admin"');
});

test('If-None-Match with the current ETag is 304 without a body; after a change it is 200 with a new ETag', async (t) => {
  const ticket = await createTicket(server);
  const faq = await createFaq(server);
  for (const [path, change] of [
    [ticket.location, json('PATCH', { priority: 'high' })],
    [faq.location, json('PATCH', { answer: 'Changed.' })],
  ] as const) {
    const etag = await etagOf(path);
    const fresh = await server.fetch(path, { headers: { 'If-None-Match': etag } });
    t.is(fresh.status, 304, path);
    t.is(fresh.headers.get('etag'), etag);
    t.is(await fresh.text(), '');
    await send(server, path, change);
    const stale = await server.fetch(path, { headers: { 'If-None-Match': etag } });
    t.is(stale.status, 200, path);
    t.not(stale.headers.get('etag'), etag);
    t.truthy(JSON.parse(await stale.text())._links);
  }
});

test('collections and search are 304 while unchanged and 200 once a ticket is added', async (t) => {
  const word = `cond${Date.now()}`;
  await createTicket(server, { title: `Conditional ${word}` });
  for (const path of [`/tickets?q=${word}`, `/search?q=${word}`]) {
    const etag = await etagOf(path);
    const fresh = await server.fetch(path, { headers: { 'If-None-Match': etag } });
    t.is(fresh.status, 304, path);
    await fresh.arrayBuffer();
  }
  const etags = [await etagOf(`/tickets?q=${word}`), await etagOf(`/search?q=${word}`)];
  await createTicket(server, { title: `Another ${word}` });
  for (const [i, path] of [`/tickets?q=${word}`, `/search?q=${word}`].entries()) {
    const changed = await server.fetch(path, { headers: { 'If-None-Match': etags[i]! } });
    t.is(changed.status, 200, path);
    await changed.arrayBuffer();
  }
});

test('If-None-Match is 304 even with Cache-Control: no-cache, which fetch adds to every conditional request', async (t) => {
  const ticket = await createTicket(server);
  const conditions: Record<string, string>[] = [
    { 'If-None-Match': ticket.etag, 'Cache-Control': 'no-cache' },
    { 'If-None-Match': ticket.etag, 'Cache-Control': 'max-age=0' },
    { 'If-None-Match': `W/${ticket.etag}` },
    { 'If-None-Match': `"other", ${ticket.etag}` },
    { 'If-None-Match': '*' },
  ];
  for (const headers of conditions) {
    t.is((await send(server, ticket.location, { headers })).status, 304, JSON.stringify(headers));
  }
  t.is((await send(server, ticket.location, { headers: { 'If-None-Match': '"v2"' } })).status, 200);
});

test('the home document is 304 for its own ETag, and HEAD honours If-None-Match too', async (t) => {
  const etag = await etagOf('/');
  t.is((await send(server, '/', { headers: { 'If-None-Match': etag } })).status, 304);
  t.is((await send(server, '/', { method: 'HEAD', headers: { 'If-None-Match': etag } })).status, 304);
  t.is((await send(server, '/', { headers: { 'If-None-Match': '"other"' } })).status, 200);
});

test('If-Match that names an old version is 412 for PATCH, PUT and DELETE of a ticket, and changes nothing', async (t) => {
  const ticket = await createTicket(server);
  await send(server, ticket.location, json('PATCH', { priority: 'low' }));
  const before = await snapshot(server, ticket.location);
  t.is(withoutOrigin(before.etag), '"v2-admin"');
  const stale = { 'If-Match': ticket.etag };
  const refused = await expectProblem(
    t,
    await server.fetch(ticket.location, json('PATCH', { priority: 'high' }, stale)),
    412,
  );
  // Named as the client holds it (the same representation, one version on), not as a tag it never saw.
  t.is(
    refused.detail,
    `The resource is at ${before.etag}, not ${ticket.etag}: it changed since you read it. GET it again, then retry.`,
  );
  await expectProblem(
    t,
    await server.fetch(ticket.location, json('PUT', { title: 'x', requester: 'x@example.com' }, stale)),
    412,
  );
  await expectProblem(t, await server.fetch(ticket.location, { method: 'DELETE', headers: stale }), 412);
  const other = await createTicket(server);
  await expectProblem(
    t,
    await server.fetch(hrefOf(ticket.body, 'merge'), json('POST', { into: other.body.id }, stale)),
    412,
  );
  t.deepEqual(await snapshot(server, ticket.location), before);
});

test('If-Match that names an old version is 412 for PATCH, PUT and DELETE of an FAQ, and changes nothing', async (t) => {
  const faq = await createFaq(server);
  await send(server, faq.location, json('PATCH', { answer: 'First.' }));
  const before = await snapshot(server, faq.location);
  const stale = { 'If-Match': faq.etag };
  await expectProblem(t, await server.fetch(faq.location, json('PATCH', { answer: 'Second.' }, stale)), 412);
  await expectProblem(t, await server.fetch(faq.location, json('PUT', { question: faq.body.question }, stale)), 412);
  await expectProblem(t, await server.fetch(faq.location, { method: 'DELETE', headers: stale }), 412);
  t.deepEqual(await snapshot(server, faq.location), before);
});

test('a weak or malformed If-Match never matches', async (t) => {
  const ticket = await createTicket(server);
  const before = await snapshot(server, ticket.location);
  for (const tag of ['W/"v1"', 'v1', '"V1"', '"v01"', '""']) {
    await expectProblem(
      t,
      await server.fetch(ticket.location, json('PATCH', { priority: 'high' }, { 'If-Match': tag })),
      412,
    );
  }
  t.deepEqual(await snapshot(server, ticket.location), before);
});

test('If-Match with the current ETag lets PATCH, PUT and DELETE through', async (t) => {
  const ticket = await createTicket(server);
  const patched = await getJson<TicketBody>(
    server,
    ticket.location,
    json('PATCH', { priority: 'high' }, { 'If-Match': '"v1"' }),
  );
  t.is(patched.status, 200);
  t.is(withoutOrigin(patched.response.headers.get('etag')), '"v2-admin"');
  const put = await getJson<TicketBody>(
    server,
    ticket.location,
    json('PUT', { title: 'Put', requester: 'p@example.com' }, { 'If-Match': '"v2"' }),
  );
  t.is(put.status, 200);
  t.is(put.body.title, 'Put');
  const deleted = await send(server, ticket.location, { method: 'DELETE', headers: { 'If-Match': '"v3"' } });
  t.is(deleted.status, 204);
  t.is((await send(server, ticket.location)).status, 410);
});

test('If-Match * or a list holding the current ETag lets the write through', async (t) => {
  const ticket = await createTicket(server);
  t.is((await send(server, ticket.location, json('PATCH', { priority: 'high' }, { 'If-Match': '*' }))).status, 200);
  t.is(
    (await send(server, ticket.location, json('PATCH', { priority: 'low' }, { 'If-Match': '"v1", "v2"' }))).status,
    200,
  );
  const faq = await createFaq(server);
  t.is((await send(server, faq.location, json('PATCH', { answer: 'Yes.' }, { 'If-Match': faq.etag }))).status, 200);
});

test('a write without If-Match goes ahead and moves the ETag on', async (t) => {
  const ticket = await createTicket(server);
  const response = await server.fetch(ticket.location, json('PATCH', { tags: ['a'] }));
  t.is(response.status, 200);
  t.is(withoutOrigin(response.headers.get('etag')), '"v2-admin"');
  await response.arrayBuffer();
  t.is(withoutOrigin(await etagOf(ticket.location)), '"v2-admin"');
});

test('of two writes based on the same version, the second is 412', async (t) => {
  const ticket = await createTicket(server);
  const writes = await Promise.all(
    ['high', 'urgent'].map((priority) =>
      send(server, ticket.location, json('PATCH', { priority }, { 'If-Match': '"v1"' })),
    ),
  );
  t.deepEqual(writes.map((w) => w.status).sort(), [200, 412]);
  const { body } = await getJson<TicketBody>(server, ticket.location);
  const winner = writes.find((w) => w.status === 200)!;
  t.is(body.priority, (JSON.parse(winner.text) as TicketBody).priority);
});
