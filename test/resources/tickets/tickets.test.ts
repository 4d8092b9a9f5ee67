// Tickets: create, read, change and delete, with the rules of their life (closed is final).
import test from 'ava';
import { embedded, hrefOf, halViolations, withoutOrigin } from '../../helpers/hal.ts';
import { expectProblem, namedFields } from '../../helpers/problem.ts';
import { type TicketBody, createTicket, getJson, send, snapshot, unique } from '../../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const MERGE_PATCH = 'application/merge-patch+json';

test('creating a ticket is 201 with Location and ETag, and following Location gives the ticket', async (t) => {
  const response = await server.fetch(
    '/tickets',
    json('POST', { title: 'Printer on fire', requester: 'ada@example.com' }),
  );
  t.is(response.status, 201);
  t.is(response.headers.get('content-type'), 'application/hal+json');
  const created = (await response.json()) as TicketBody;
  const location = response.headers.get('location');
  t.is(location, server.at(`/tickets/${created.id}`));
  t.is(withoutOrigin(response.headers.get('etag')), '"v1-admin"');
  const read = await getJson<TicketBody>(server, location!);
  t.is(read.status, 200);
  t.deepEqual(read.body, created);
  t.is(withoutOrigin(read.response.headers.get('etag')), '"v1-admin"');
});

test('a new ticket is open, of normal priority, with no tags, assignee or description', async (t) => {
  const { body } = await createTicket(server, { title: 'Defaults', requester: 'ada@example.com' });
  t.like(body, {
    title: 'Defaults',
    requester: 'ada@example.com',
    status: 'open',
    priority: 'normal',
    description: '',
    assignee: null,
  });
  t.deepEqual(body.tags, []);
  t.true(Number.isInteger(body.id) && body.id > 0);
});

test('timestamps are RFC 3339 in UTC, equal on create, and updatedAt moves on a change', async (t) => {
  const { body, location } = await createTicket(server);
  t.regex(body.createdAt, RFC3339_UTC);
  t.is(body.updatedAt, body.createdAt);
  const changed = await getJson<TicketBody>(server, location, json('PATCH', { priority: 'high' }));
  t.is(changed.body.createdAt, body.createdAt);
  t.regex(changed.body.updatedAt, RFC3339_UTC);
  t.true(changed.body.updatedAt >= body.updatedAt);
});

test('a ticket links self, collection, promote, merge and faqs, and is valid HAL', async (t) => {
  const { body } = await createTicket(server);
  t.deepEqual(halViolations(body), []);
  t.is(hrefOf(body, 'self'), server.at(`/tickets/${body.id}`));
  t.is(hrefOf(body, 'collection'), server.at('/tickets'));
  t.is(hrefOf(body, 'promote'), server.at(`/tickets/${body.id}/promote`));
  t.is(hrefOf(body, 'merge'), server.at(`/tickets/${body.id}/merge`));
  t.is(hrefOf(body, 'faqs'), server.at(`/faqs?source=${body.id}`));
});

test('a ticket keeps every field it was created with', async (t) => {
  const fields = {
    title: 'Everything set',
    description: 'Long story',
    status: 'pending',
    priority: 'urgent',
    requester: 'grace@example.com',
    assignee: 'alice',
    tags: ['billing', 'vip'],
  };
  const { body } = await createTicket(server, fields);
  t.like(body, fields);
});

test('the 201 of a create is exactly the ticket a GET of its Location then gives, every field set', async (t) => {
  const fields = {
    title: 'Everything stored',
    description: 'Every field',
    status: 'pending',
    priority: 'urgent',
    requester: 'grace@example.com',
    assignee: 'alice',
    tags: ['billing', 'vip'],
  };
  const response = await server.fetch('/tickets', json('POST', fields));
  t.is(response.status, 201);
  const created = await response.text();
  const read = await server.fetch(response.headers.get('location')!);
  t.is(await read.text(), created);
  t.is(read.headers.get('etag'), response.headers.get('etag'));
});

test('PATCH as merge-patch changes only the fields it names, with a new ETag', async (t) => {
  const { body, location } = await createTicket(server, { assignee: 'bob', tags: ['a'] });
  const response = await server.fetch(location, {
    method: 'PATCH',
    headers: { 'Content-Type': MERGE_PATCH },
    body: JSON.stringify({ priority: 'low', tags: ['b', 'c'] }),
  });
  t.is(response.status, 200);
  t.is(withoutOrigin(response.headers.get('etag')), '"v2-admin"');
  const patched = (await response.json()) as TicketBody;
  t.like(patched, { title: body.title, requester: body.requester, assignee: 'bob', status: 'open', priority: 'low' });
  t.deepEqual(patched.tags, ['b', 'c']);
  t.deepEqual((await getJson<TicketBody>(server, location)).body, patched);
});

test('PATCH with assignee null clears the assignee', async (t) => {
  const { location } = await createTicket(server, { assignee: 'carol' });
  const response = await server.fetch(location, {
    method: 'PATCH',
    headers: { 'Content-Type': MERGE_PATCH },
    body: JSON.stringify({ assignee: null }),
  });
  t.is(response.status, 200);
  t.is(((await response.json()) as TicketBody).assignee, null);
  t.is((await getJson<TicketBody>(server, location)).body.assignee, null);
});

test('PATCH with null for the title is 400 naming it, and changes nothing', async (t) => {
  const { location } = await createTicket(server);
  const before = await snapshot(server, location);
  const problem = await expectProblem(t, await server.fetch(location, json('PATCH', { title: null })), 400);
  t.deepEqual(namedFields(problem), ['#/title']);
  t.deepEqual(await snapshot(server, location), before);
});

test('PUT replaces the ticket: what it leaves out goes back to its default', async (t) => {
  const { location } = await createTicket(server, {
    description: 'old',
    status: 'pending',
    priority: 'urgent',
    assignee: 'dave',
    tags: ['x'],
  });
  const replacement = { title: 'Replaced', requester: 'new@example.com' };
  const response = await server.fetch(location, json('PUT', replacement));
  t.is(response.status, 200);
  const replaced = (await response.json()) as TicketBody;
  t.like(replaced, { ...replacement, description: '', status: 'open', priority: 'normal', assignee: null });
  t.deepEqual(replaced.tags, []);
  t.deepEqual((await getJson<TicketBody>(server, location)).body, replaced);
});

test('PUT without the required fields is 400 naming them, and changes nothing', async (t) => {
  const { location } = await createTicket(server);
  const before = await snapshot(server, location);
  const problem = await expectProblem(t, await server.fetch(location, json('PUT', { priority: 'low' })), 400);
  t.deepEqual(namedFields(problem), ['#/requester', '#/title']);
  t.deepEqual(await snapshot(server, location), before);
});

test('any status may change to any other, except from closed', async (t) => {
  const statuses = ['open', 'pending', 'solved', 'closed'];
  for (const from of statuses.filter((s) => s !== 'closed')) {
    for (const to of statuses) {
      const { location } = await createTicket(server, { status: from });
      const response = await getJson<TicketBody>(server, location, json('PATCH', { status: to }));
      t.is(response.status, 200, `${from} -> ${to}`);
      t.is(response.body.status, to);
    }
  }
});

test('changing a closed ticket is 409 for PATCH, PUT, DELETE and merge, and changes nothing', async (t) => {
  const { location, body } = await createTicket(server, { status: 'closed' });
  const other = await createTicket(server);
  const before = await snapshot(server, location);
  const attempts: [string, RequestInit][] = [
    ['reopen', json('PATCH', { status: 'open' })],
    ['retitle', json('PATCH', { title: 'Changed' })],
    ['empty patch', json('PATCH', {})],
    ['replace', json('PUT', { title: 'Changed', requester: 'x@example.com', status: 'closed' })],
    ['delete', { method: 'DELETE' }],
  ];
  for (const [what, init] of attempts) {
    const problem = await expectProblem(t, await server.fetch(location, init), 409);
    t.regex(problem.detail, /closed/, what);
  }
  // A closed ticket no longer links merge; the address an open ticket linked still refuses.
  t.is((body._links as Record<string, unknown>).merge, undefined);
  await expectProblem(
    t,
    await server.fetch(
      // The path's id segment, not the first run of its digits: the port may hold them too (port 44199, id 19).
      hrefOf(other.body, 'merge').replace(`/tickets/${other.body.id}/`, `/tickets/${body.id}/`),
      json('POST', { into: other.body.id }),
    ),
    409,
  );
  t.deepEqual(await snapshot(server, location), before);
  t.is(withoutOrigin((await snapshot(server, other.location)).etag), '"v1-admin"');
});

test('a closed ticket may still be promoted to an FAQ', async (t) => {
  const { body } = await createTicket(server, { status: 'closed' });
  const { status } = await send(server, hrefOf(body, 'promote'), { method: 'POST' });
  t.is(status, 201);
});

test('deleting a ticket is 204 with no body, and from then on it is 410 Gone', async (t) => {
  const { location, body } = await createTicket(server);
  const response = await server.fetch(location, { method: 'DELETE' });
  t.is(response.status, 204);
  t.is(await response.text(), '');
  await expectProblem(t, await server.fetch(location), 410);
  await expectProblem(t, await server.fetch(location, json('PATCH', { title: 'Back?' })), 410);
  await expectProblem(
    t,
    await server.fetch(location, json('PUT', { title: 'Back?', requester: 'x@example.com' })),
    410,
  );
  await expectProblem(t, await server.fetch(location, { method: 'DELETE' }), 410);
  await expectProblem(t, await server.fetch(hrefOf(body, 'promote'), { method: 'POST' }), 410);
  const other = await createTicket(server);
  await expectProblem(t, await server.fetch(hrefOf(body, 'merge'), json('POST', { into: other.body.id })), 410);
});

test('a deleted ticket leaves the collection', async (t) => {
  const word = unique('gone').split(' ')[1]!;
  const { location, body } = await createTicket(server, { title: `Vanishing ${word}` });
  const listed = async () =>
    embedded((await getJson(server, `/tickets?q=${word}`)).body, 'tickets').map((item) => item.id);
  t.deepEqual(await listed(), [body.id]);
  await send(server, location, { method: 'DELETE' });
  t.deepEqual(await listed(), []);
});

test('a ticket deleted during a walk by next makes the walk skip no other ticket', async (t) => {
  const word = unique('walk').split(' ')[1]!;
  const made: number[] = [];
  for (let i = 0; i < 12; i++) made.push((await createTicket(server, { title: `Walk ${word} ${i}` })).body.id);
  const first = (await getJson(server, `/tickets?q=${word}&size=5`)).body;
  const seen = embedded(first, 'tickets').map((item) => item.id as number);
  await send(server, `/tickets/${seen[0]}`, { method: 'DELETE' });
  let page = first;
  for (let guard = 0; guard < 10 && page._links.next; guard++) {
    page = (await getJson(server, hrefOf(page, 'next'))).body;
    seen.push(...embedded(page, 'tickets').map((item) => item.id as number));
  }
  // Equally relevant matches of a search come newest first.
  t.deepEqual(seen, [...made].reverse());
});

test('tickets that never existed are 404 problems', async (t) => {
  for (const path of [
    '/tickets/abc',
    '/tickets/0',
    '/tickets/-1',
    '/tickets/01',
    '/tickets/999999999',
    '/tickets/1.5',
    '/tickets/2147483648',
    '/tickets/99999999999999999999',
  ]) {
    const problem = await expectProblem(t, await server.fetch(path), 404);
    t.is(problem.instance, server.at(path));
  }
});

test('changing a ticket that never existed is 404 and creates nothing', async (t) => {
  await expectProblem(t, await server.fetch('/tickets/999999', json('PATCH', { title: 'x' })), 404);
  await expectProblem(
    t,
    await server.fetch('/tickets/999999', json('PUT', { title: 'x', requester: 'a@example.com' })),
    404,
  );
  await expectProblem(t, await server.fetch('/tickets/999999', { method: 'DELETE' }), 404);
});

test('the collection filters by status', async (t) => {
  const word = unique('status').split(' ')[1]!;
  const pending = await createTicket(server, { title: `Filter ${word}`, status: 'pending' });
  await createTicket(server, { title: `Filter ${word}`, status: 'open' });
  const { body } = await getJson(server, `/tickets?status=pending&q=${word}`);
  t.deepEqual(
    embedded(body, 'tickets').map((item) => item.id),
    [pending.body.id],
  );
  t.deepEqual(halViolations(body), []);
});
