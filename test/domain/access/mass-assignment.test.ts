// Fields a caller may not set (the server's own id and times; who asked and who works on a ticket, for a
// requester; a token's secret and history) are refused with a 400 naming each of them, never silently applied
// or dropped: a re-read proves nothing changed, not even the fields sent alongside.
import test, { type ExecutionContext } from 'ava';
import {
  type Actor,
  type HalDocument,
  HAL_FORMS,
  type Ticket,
  actorOf,
  createFaq,
  createTicket,
  mintToken,
  requester,
  uniqueWord,
} from '../../helpers/access-fixtures.ts';
import { assertProblem, namedFields } from '../../helpers/access-problems.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
let alice: Actor & { email: string };
let agent: Actor;
test.before(async () => {
  server = await startTestServer();
  [alice, agent] = await Promise.all([requester(server, 'alice'), actorOf(server, 'agent')]);
});
test.after.always(() => server?.close());

const SERVER_OWNED = { id: 424242, createdAt: '2000-01-01T00:00:00.000Z', updatedAt: '2000-01-01T00:00:00.000Z' };

const adminRead = async (path: string) => (await server.fetch(path)).json();

/** Sends a refused write and asserts the 400 names exactly `fields`, and that `path` reads the same afterwards. */
async function refused(
  t: ExecutionContext,
  actor: Actor,
  method: string,
  target: string,
  body: object,
  fields: string[],
  reread: string,
) {
  const before = await adminRead(reread);
  const problem = await assertProblem(t, await server.as(actor.token).fetch(target, json(method, body)), 400);
  t.deepEqual(namedFields(problem), [...fields].sort(), `${method} ${target} ${JSON.stringify(body)}`);
  for (const field of fields) t.regex(problem.detail, new RegExp(`\\b${field}\\b`), `the detail names ${field}`);
  t.deepEqual(await adminRead(reread), before, 'nothing changed');
}

for (const field of Object.keys(SERVER_OWNED) as (keyof typeof SERVER_OWNED)[]) {
  test(`nobody may set a ticket's ${field}: creating, replacing and changing with it are 400`, async (t) => {
    const value = SERVER_OWNED[field];
    const word = uniqueWord();
    for (const actor of [{ token: server.adminToken }, agent]) {
      await refused(
        t,
        actor,
        'POST',
        '/tickets',
        { title: `New ${word}`, requester: 'x@customers.example', [field]: value },
        [field],
        `/tickets?q=${word}`,
      );
      const ticket = await createTicket(server, alice.email);
      await refused(
        t,
        actor,
        'PUT',
        `/tickets/${ticket.id}`,
        { title: 'Replaced', requester: alice.email, [field]: value },
        [field],
        `/tickets/${ticket.id}`,
      );
      await refused(
        t,
        actor,
        'PATCH',
        `/tickets/${ticket.id}`,
        { title: 'Changed', [field]: value },
        [field],
        `/tickets/${ticket.id}`,
      );
    }
    const own = await createTicket(server, alice.email);
    await refused(t, alice, 'PATCH', `/tickets/${own.id}`, { [field]: value }, [field], `/tickets/${own.id}`);
  });

  test(`nobody may set an FAQ's ${field}, in either contract`, async (t) => {
    const value = SERVER_OWNED[field];
    const word = uniqueWord();
    const faq = await createFaq(server);
    await refused(t, agent, 'POST', '/faqs', { question: `New ${word}?`, [field]: value }, [field], `/faqs?q=${word}`);
    await refused(
      t,
      agent,
      'PUT',
      `/faqs/${faq.id}`,
      { question: `Replaced ${word}?`, [field]: value },
      [field],
      `/faqs/${faq.id}`,
    );
    await refused(
      t,
      agent,
      'PATCH',
      `/faqs/${faq.id}`,
      { answer: 'Changed.', [field]: value },
      [field],
      `/faqs/${faq.id}`,
    );
    await refused(
      t,
      agent,
      'POST',
      '/v1/faqs',
      { question: `New v1 ${word}?`, [field]: value },
      [field],
      `/v1/faqs?q=${word}`,
    );
    await refused(
      t,
      agent,
      'PATCH',
      `/v1/faqs/${faq.id}`,
      { answer: 'Changed.', [field]: value },
      [field],
      `/v1/faqs/${faq.id}`,
    );
  });
}

test('a requester may not name who asked or who works on a ticket: 400 naming the fields, on create, replace and change', async (t) => {
  const word = uniqueWord();
  const own = (await (
    await server.as(alice.token).fetch('/tickets', json('POST', { title: `Mine ${word}` }))
  ).json()) as Ticket;
  const cases: [object, string[]][] = [
    [{ requester: 'mallory@customers.example' }, ['requester']],
    [{ assignee: 'alice-herself' }, ['assignee']],
    [{ assignee: null }, ['assignee']],
    [{ requester: alice.email, assignee: 'someone' }, ['assignee', 'requester']],
    [{ ...SERVER_OWNED, requester: 'mallory@customers.example' }, ['createdAt', 'id', 'requester', 'updatedAt']],
  ];
  for (const [fields, named] of cases) {
    await refused(t, alice, 'POST', '/tickets', { title: `Another ${word}`, ...fields }, named, `/tickets?q=${word}`);
    // Sent beside a change the requester may make, the allowed change does not land either.
    await refused(
      t,
      alice,
      'PATCH',
      `/tickets/${own.id}`,
      { title: `Changed ${word}`, priority: 'urgent', ...fields },
      named,
      `/tickets/${own.id}`,
    );
    await refused(
      t,
      alice,
      'PUT',
      `/tickets/${own.id}`,
      { title: `Replaced ${word}`, ...fields },
      named,
      `/tickets/${own.id}`,
    );
  }
  const stored = (await adminRead(`/tickets/${own.id}`)) as Ticket;
  t.is(stored.requester, alice.email);
  t.is(stored.assignee, null);
});

test('the forms a requester is offered leave out who asked and who works on a ticket, and staff forms have them', async (t) => {
  const own = (await (
    await server.as(alice.token).fetch('/tickets', json('POST', { title: 'Forms' }))
  ).json()) as Ticket;
  const fieldsOf = async (actor: Actor, path: string) => {
    const document = (await (
      await server.as(actor.token).fetch(path, { headers: { Accept: HAL_FORMS } })
    ).json()) as HalDocument;
    return Object.fromEntries(
      Object.entries(document._templates ?? {}).map(([name, form]) => [
        name,
        form.properties.map((p) => p.name).sort(),
      ]),
    );
  };
  const asRequester = { ...(await fieldsOf(alice, '/tickets')), ...(await fieldsOf(alice, `/tickets/${own.id}`)) };
  t.deepEqual(Object.keys(asRequester).sort(), ['default', 'replace', 'update']);
  for (const fields of Object.values(asRequester))
    t.deepEqual(fields, ['description', 'priority', 'status', 'tags', 'title']);
  const asAgent = { ...(await fieldsOf(agent, '/tickets')), ...(await fieldsOf(agent, `/tickets/${own.id}`)) };
  for (const name of ['default', 'replace', 'update'])
    t.deepEqual(asAgent[name], ['assignee', 'description', 'priority', 'requester', 'status', 'tags', 'title']);
});

test("a requester's PUT keeps who asked and who works on their ticket as staff left them", async (t) => {
  const own = (await (
    await server.as(alice.token).fetch('/tickets', json('POST', { title: 'Assigned' }))
  ).json()) as Ticket;
  t.is(
    (await server.as(agent.token).fetch(`/tickets/${own.id}`, json('PATCH', { assignee: 'agent-smith' }))).status,
    200,
  );
  const replaced = await server
    .as(alice.token)
    .fetch(`/tickets/${own.id}`, json('PUT', { title: 'Replaced by Alice' }));
  t.is(replaced.status, 200);
  t.like(await adminRead(`/tickets/${own.id}`), {
    title: 'Replaced by Alice',
    requester: alice.email,
    assignee: 'agent-smith',
  });
});

test('staff may set who asked and who works on a ticket', async (t) => {
  const ticket = await createTicket(server, alice.email);
  const response = await server
    .as(agent.token)
    .fetch(`/tickets/${ticket.id}`, json('PATCH', { assignee: 'agent-smith', requester: 'bob@customers.example' }));
  t.is(response.status, 200);
  t.like(await response.json(), { assignee: 'agent-smith', requester: 'bob@customers.example' });
});

test("a token's secret, id and history are not the minter's to choose: 400 naming them, and nothing is minted", async (t) => {
  const chosen = `hd_${'C'.repeat(43)}`;
  const name = `chosen-${uniqueWord()}`;
  const named = async () => {
    const list = (await adminRead('/tokens?size=100')) as HalDocument;
    return list._embedded!.tokens!.filter((token) => token.name === name);
  };
  const cases: [object, string[]][] = [
    [{ secret: chosen }, ['secret']],
    [{ id: 1 }, ['id']],
    [{ createdAt: SERVER_OWNED.createdAt, revokedAt: null }, ['createdAt', 'revokedAt']],
    [{ secret_hash: '0'.repeat(64) }, ['secret_hash']],
  ];
  for (const [fields, fieldNames] of cases) {
    const problem = await assertProblem(
      t,
      await server.fetch('/tokens', json('POST', { name, role: 'agent', ...fields })),
      400,
    );
    t.deepEqual(namedFields(problem), fieldNames.sort());
  }
  const role = await assertProblem(t, await server.fetch('/tokens', json('POST', { name, role: 'superuser' })), 400);
  t.deepEqual(namedFields(role), ['role']);
  t.deepEqual(await named(), []);
  await assertProblem(t, await server.as(chosen).fetch('/'), 401);
});

test("a token's role cannot be changed after minting: PUT and PATCH are 405 and the role stays", async (t) => {
  const { id, secret } = await mintToken(server, 'agent');
  const before = await adminRead(`/tokens/${id}`);
  for (const method of ['PUT', 'PATCH']) {
    const response = await server.fetch(`/tokens/${id}`, json(method, { name: 'promoted', role: 'admin' }));
    await assertProblem(t, response, 405);
    t.deepEqual(response.headers.get('allow')?.split(/,\s*/).sort(), ['DELETE', 'GET', 'HEAD']);
  }
  t.deepEqual(await adminRead(`/tokens/${id}`), before);
  await assertProblem(t, await server.as(secret).fetch('/tokens'), 403);
});
