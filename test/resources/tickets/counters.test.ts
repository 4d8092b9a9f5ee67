// Collection totals come from trigger-kept counters, not from counting rows: on either engine they must stay
// equal to the live rows through every kind of write, one at a time and all at once.
import test from 'ava';
import { json, type TestServer, startTestServer } from '../../helpers/server.ts';

type Listing = { page: { totalElements: number }; _embedded: Record<string, { id: number; status: string }[]> };

const TICKET_STATUSES = ['open', 'pending', 'solved', 'closed'] as const;
const FAQ_STATUSES = ['draft', 'published'] as const;

/** Each test gets a server (and database) of its own, so the totals it checks are its own. */
async function serverFor(t: { teardown(fn: () => Promise<void>): void }): Promise<TestServer> {
  const server = await startTestServer();
  t.teardown(() => server.close());
  return server;
}

/** Per status: the total the collection reports (a counter) and the rows it lists (at most 100, enough here). */
async function census(server: TestServer, collection: 'tickets' | 'faqs', statuses: readonly string[]) {
  const totals: Record<string, number> = {};
  const rows: Record<string, number> = {};
  for (const status of ['', ...statuses]) {
    const listing = (await (
      await server.fetch(`/${collection}?size=100${status ? `&status=${status}` : ''}`)
    ).json()) as Listing;
    totals[status || 'all'] = listing.page.totalElements;
    rows[status || 'all'] = listing._embedded[collection]!.length;
  }
  return { totals, rows };
}

async function createTicket(server: TestServer, status: string): Promise<{ id: number; etag: string }> {
  const response = await server.fetch(
    '/tickets',
    json('POST', { title: `A ${status} ticket`, requester: 'r@example.com', status }),
  );
  if (response.status !== 201) throw new Error(`create: ${response.status}`);
  return { id: ((await response.json()) as { id: number }).id, etag: response.headers.get('etag')! };
}

const patch = (server: TestServer, id: number, etag: string, body: object) =>
  server.fetch(`/tickets/${id}`, json('PATCH', body, { 'If-Match': etag }));

test('ticket totals per status follow creates, status changes, deletes and merges', async (t) => {
  const server = await serverFor(t);
  const a = await createTicket(server, 'open');
  const b = await createTicket(server, 'open');
  const c = await createTicket(server, 'pending');
  const d = await createTicket(server, 'solved');
  const e = await createTicket(server, 'open');
  t.deepEqual((await census(server, 'tickets', TICKET_STATUSES)).totals, {
    all: 5,
    open: 3,
    pending: 1,
    solved: 1,
    closed: 0,
  });

  t.is((await patch(server, a.id, a.etag, { status: 'pending' })).status, 200); // open -> pending
  t.is((await patch(server, c.id, c.etag, { title: 'Only the title changes' })).status, 200); // no status change
  t.is((await server.fetch(`/tickets/${d.id}`, { method: 'DELETE', headers: { 'If-Match': d.etag } })).status, 204);
  t.is((await server.fetch(`/tickets/${e.id}/merge`, json('POST', { into: b.id }))).status, 200); // leaves the live rows
  const after = await census(server, 'tickets', TICKET_STATUSES);
  t.deepEqual(after.totals, { all: 3, open: 1, pending: 2, solved: 0, closed: 0 });
  t.deepEqual(after.totals, after.rows);
});

test('ticket totals stay right when many clients change statuses in opposite directions at once', async (t) => {
  const server = await serverFor(t);
  const open = await Promise.all(Array.from({ length: 12 }, () => createTicket(server, 'open')));
  const pending = await Promise.all(Array.from({ length: 12 }, () => createTicket(server, 'pending')));
  // Opposite moves at once: on PostgreSQL each takes two counter rows, which must not deadlock.
  const answers = await Promise.all([
    ...open.map(({ id, etag }) => patch(server, id, etag, { status: 'pending' })),
    ...pending.map(({ id, etag }) => patch(server, id, etag, { status: 'open' })),
    ...Array.from({ length: 8 }, () => createTicket(server, 'solved').then(() => new Response(null, { status: 200 }))),
  ]);
  t.deepEqual([...new Set(answers.map((answer) => answer.status))], [200]);
  const after = await census(server, 'tickets', TICKET_STATUSES);
  t.deepEqual(after.totals, { all: 32, open: 12, pending: 12, solved: 8, closed: 0 });
  t.deepEqual(after.totals, after.rows);
});

test('FAQ totals per status follow creates, publishing, question changes and deletes', async (t) => {
  const server = await serverFor(t);
  const created = [];
  for (const [n, status] of ['draft', 'draft', 'published', 'published', 'published'].entries()) {
    const response = await server.fetch(
      '/faqs',
      json('POST', { question: `Question ${n}?`, answer: status === 'published' ? 'An answer.' : null, status }),
    );
    created.push({ id: ((await response.json()) as { id: number }).id, etag: response.headers.get('etag')! });
  }
  t.deepEqual((await census(server, 'faqs', FAQ_STATUSES)).totals, { all: 5, draft: 2, published: 3 });

  const [draft, , published, renamed, removed] = created;
  t.is(
    (
      await server.fetch(
        `/faqs/${draft!.id}`,
        json('PATCH', { answer: 'Now answered.', status: 'published' }, { 'If-Match': draft!.etag }),
      )
    ).status,
    200,
  );
  t.is(
    (await server.fetch(`/faqs/${renamed!.id}`, json('PATCH', { question: 'Renamed?' }, { 'If-Match': renamed!.etag })))
      .status,
    200,
  );
  t.is(
    (await server.fetch(`/faqs/${removed!.id}`, { method: 'DELETE', headers: { 'If-Match': removed!.etag } })).status,
    204,
  );
  t.is(
    (await server.fetch(`/faqs/${published!.id}`, json('PATCH', { status: 'draft' }, { 'If-Match': published!.etag })))
      .status,
    200,
  );
  const after = await census(server, 'faqs', FAQ_STATUSES);
  t.deepEqual(after.totals, { all: 4, draft: 2, published: 2 });
  t.deepEqual(after.totals, after.rows);
});
