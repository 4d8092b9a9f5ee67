// Merging a ticket into another: it closes as merged and from then on redirects, permanently, to the survivor.
import test from 'ava';
import { embedded, hrefOf, withoutOrigin } from '../../helpers/hal.ts';
import { expectProblem, namedFields } from '../../helpers/problem.ts';
import { type TicketBody, createTicket, getJson, send, snapshot, unique } from '../../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

async function pair() {
  return { merged: await createTicket(server), survivor: await createTicket(server) };
}

function merge(ticket: TicketBody, into: unknown) {
  return server.fetch(hrefOf(ticket, 'merge'), json('POST', { into }));
}

test('merging by id answers with the survivor, and the merged ticket then answers 301 to it', async (t) => {
  const { merged, survivor } = await pair();
  const response = await merge(merged.body, survivor.body.id);
  t.is(response.status, 200);
  t.is(response.headers.get('content-location'), survivor.location);
  const answered = (await response.json()) as TicketBody;
  t.is(answered.id, survivor.body.id);
  t.is(answered.status, 'open');

  const redirect = await server.fetch(merged.location);
  t.is(redirect.status, 301);
  t.is(redirect.headers.get('location'), survivor.location);
  await redirect.arrayBuffer();
  const followed = await getJson<TicketBody>(server, redirect.headers.get('location')!);
  t.is(followed.status, 200);
  t.is(followed.body.id, survivor.body.id);
  const head = await server.fetch(merged.location, { method: 'HEAD' });
  t.is(head.status, 301);
  t.is(head.headers.get('location'), survivor.location);
});

test('merge accepts the survivor as a relative URI', async (t) => {
  const { merged, survivor } = await pair();
  const response = await merge(merged.body, survivor.location);
  t.is(response.status, 200);
  await response.arrayBuffer();
  t.is((await send(server, merged.location)).response.headers.get('location'), survivor.location);
});

test('merge accepts the survivor as an absolute URI on this server', async (t) => {
  const { merged, survivor } = await pair();
  const absolute = new URL(survivor.location, server.url).href;
  t.regex(absolute, /^http:\/\/127\.0\.0\.1:\d+\/tickets\/\d+$/);
  const response = await merge(merged.body, absolute);
  t.is(response.status, 200);
  await response.arrayBuffer();
  t.is((await send(server, merged.location)).status, 301);
});

test('merge accepts the survivor as a numeric string', async (t) => {
  const { merged, survivor } = await pair();
  const { status } = await send(server, hrefOf(merged.body, 'merge'), json('POST', { into: String(survivor.body.id) }));
  t.is(status, 200);
});

test('merging into a ticket that does not exist, or is named wrongly, is 400 naming #/into and changes nothing', async (t) => {
  const { merged, survivor } = await pair();
  const before = await snapshot(server, merged.location);
  const wrong = [
    999999,
    '/tickets/999999',
    '/faqs/1',
    `http://example.com${survivor.location}`,
    `${survivor.location}/merge`,
    'nonsense',
  ];
  for (const into of wrong) {
    const problem = await expectProblem(t, await merge(merged.body, into), 400);
    t.deepEqual(namedFields(problem), ['#/into'], JSON.stringify(into));
  }
  t.deepEqual(await snapshot(server, merged.location), before);
});

test('merging a ticket into itself is 400 naming #/into and changes nothing', async (t) => {
  const { body, location } = await createTicket(server);
  const before = await snapshot(server, location);
  for (const into of [body.id, location]) {
    const problem = await expectProblem(t, await merge(body, into), 400);
    t.deepEqual(namedFields(problem), ['#/into']);
  }
  t.deepEqual(await snapshot(server, location), before);
});

test('a merge body without into, with a wrong type or an unknown field is 400 naming it', async (t) => {
  const { body, location } = await createTicket(server);
  const before = await snapshot(server, location);
  const cases: [unknown, string[]][] = [
    [{}, ['#/into']],
    [{ into: 1.5 }, ['#/into']],
    [{ into: true }, ['#/into']],
    [{ into: null }, ['#/into']],
    [{ into: '' }, ['#/into']],
    [{ into: 1, reason: 'dup' }, ['#/reason']],
  ];
  for (const [payload, fields] of cases) {
    const problem = await expectProblem(t, await server.fetch(hrefOf(body, 'merge'), json('POST', payload)), 400);
    t.deepEqual(namedFields(problem), fields, JSON.stringify(payload));
  }
  t.deepEqual(await snapshot(server, location), before);
});

test('merging into a closed, merged or deleted ticket is 409 and changes nothing', async (t) => {
  const { body, location } = await createTicket(server);
  const closed = await createTicket(server, { status: 'closed' });
  const { merged: alreadyMerged, survivor } = await pair();
  await send(server, hrefOf(alreadyMerged.body, 'merge'), json('POST', { into: survivor.body.id }));
  const deleted = await createTicket(server);
  await send(server, deleted.location, { method: 'DELETE' });
  const before = await snapshot(server, location);
  for (const into of [closed.body.id, alreadyMerged.body.id, deleted.body.id]) {
    await expectProblem(t, await merge(body, into), 409);
  }
  t.deepEqual(await snapshot(server, location), before);
  t.is(withoutOrigin((await snapshot(server, closed.location)).etag), '"v1-admin"');
});

test('a merged ticket refuses every change with 409', async (t) => {
  const { merged, survivor } = await pair();
  const other = await createTicket(server);
  await send(server, hrefOf(merged.body, 'merge'), json('POST', { into: survivor.body.id }));
  await expectProblem(t, await server.fetch(merged.location, json('PATCH', { status: 'open' })), 409);
  await expectProblem(
    t,
    await server.fetch(merged.location, json('PUT', { title: 'x', requester: 'a@example.com' })),
    409,
  );
  await expectProblem(t, await server.fetch(merged.location, { method: 'DELETE' }), 409);
  await expectProblem(t, await merge(merged.body, other.body.id), 409);
  await expectProblem(t, await server.fetch(hrefOf(merged.body, 'promote'), { method: 'POST' }), 409);
  const still = await server.fetch(merged.location);
  t.is(still.status, 301);
  t.is(still.headers.get('location'), survivor.location);
  t.is(withoutOrigin((await snapshot(server, other.location)).etag), '"v1-admin"');
});

test('a merged ticket leaves the collection and the survivor stays', async (t) => {
  const word = unique('merge').split(' ')[1]!;
  const merged = await createTicket(server, { title: `Duplicate ${word}` });
  const survivor = await createTicket(server, { title: `Original ${word}` });
  await send(server, hrefOf(merged.body, 'merge'), json('POST', { into: survivor.body.id }));
  const { body } = await getJson(server, `/tickets?q=${word}`);
  t.deepEqual(
    embedded(body, 'tickets').map((item) => item.id),
    [survivor.body.id],
  );
});

test('merging a ticket that never existed is 404', async (t) => {
  const survivor = await createTicket(server);
  await expectProblem(t, await server.fetch('/tickets/999999/merge', json('POST', { into: survivor.body.id })), 404);
  await expectProblem(t, await server.fetch('/tickets/abc/merge', json('POST', { into: survivor.body.id })), 404);
});
