// Who is calling: no token where one is needed, a malformed or unknown one, or one in the URL is refused with
// a clear problem; a valid token whose role may not act gets 403. None of these changes anything (the tests
// run one at a time, so that "everything the API holds" is theirs alone to compare).
import test from 'ava';
import { type Ticket, actorOf, createFaq, createTicket, requester, uniqueWord } from '../helpers/access-fixtures.ts';
import { assertProblem, namedFields, problemKind } from '../helpers/access-problems.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server?.close());

/** Every route that needs a token, with a body where it takes one. */
function needingAToken(ticket: number, faq: number): [string, string, unknown?][] {
  return [
    ['GET', '/tickets'],
    ['POST', '/tickets', { title: 'Anonymous report', requester: 'x@customers.example' }],
    ['GET', `/tickets/${ticket}`],
    ['PUT', `/tickets/${ticket}`, { title: 'Anonymous', requester: 'x@customers.example' }],
    ['PATCH', `/tickets/${ticket}`, { status: 'closed' }],
    ['DELETE', `/tickets/${ticket}`],
    ['POST', `/tickets/${ticket}/promote`],
    ['POST', `/tickets/${ticket}/merge`, { into: ticket }],
    ['POST', '/faqs', { question: `Anonymous ${uniqueWord()}?` }],
    ['PUT', `/faqs/${faq}`, { question: `Anonymous ${uniqueWord()}?` }],
    ['PATCH', `/faqs/${faq}`, { answer: 'Anonymous' }],
    ['DELETE', `/faqs/${faq}`],
    ['POST', `/faqs/${faq}/publish`],
    ['GET', '/tokens'],
    ['POST', '/tokens', { name: 'anonymous', role: 'admin' }],
    ['GET', '/tokens/1'],
    ['DELETE', '/tokens/1'],
    ['POST', '/v1/faqs', { question: `Anonymous ${uniqueWord()}?` }],
    ['PATCH', `/v1/faqs/${faq}`, { answer: 'Anonymous' }],
    ['DELETE', `/v1/faqs/${faq}`],
  ];
}

/** Everything the API holds, as the admin reads it, to show a refused request changed nothing. */
async function everything(): Promise<unknown> {
  const read = async (path: string) => (await server.fetch(path)).json();
  return Promise.all(['/tickets?size=100', '/faqs?size=100', '/tokens?size=100'].map(read));
}

test.serial(
  'without a token, every route that needs one is 401 with a Bearer challenge, and nothing changes',
  async (t) => {
    const ticket = await createTicket(server, 'someone@customers.example');
    const faq = await createFaq(server, { status: 'draft' });
    const before = await everything();
    for (const [method, path, body] of needingAToken(ticket.id, faq.id)) {
      const init =
        body === undefined ? { method, headers: { Authorization: '' } } : json(method, body, { Authorization: '' });
      const response = await server.fetch(path, init);
      const problem = await assertProblem(t, response, 401);
      t.is(problemKind(problem), 'unauthorized', `${method} ${path}`);
      t.is(response.headers.get('www-authenticate'), 'Bearer realm="helpdesk"', `${method} ${path}`);
    }
    t.deepEqual(await everything(), before);
  },
);

const MALFORMED = [
  'Basic dXNlcjpwYXNzd29yZA==',
  'Bearer',
  'Bearer two words',
  'Token abcdef',
  'Bearer\u00a0abcdef',
  'abcdef',
];

test.serial(
  'a malformed Authorization header is 401 with error="invalid_token", even where no token is needed',
  async (t) => {
    for (const header of MALFORMED) {
      for (const path of ['/', '/faqs', '/tickets']) {
        const response = await server.fetch(path, { headers: { Authorization: header } });
        await assertProblem(t, response, 401);
        t.regex(
          response.headers.get('www-authenticate') ?? '',
          /^Bearer realm="helpdesk", error="invalid_token"$/,
          `${header} on ${path}`,
        );
      }
    }
  },
);

test.serial('an unknown token is 401, never treated as anonymous, and a write with it changes nothing', async (t) => {
  const before = await everything();
  for (const token of [
    `hd_${'A'.repeat(43)}`,
    'x'.repeat(64),
    server.adminToken.slice(0, -1),
    `${server.adminToken}x`,
  ]) {
    const read = await server.as(token).fetch('/faqs');
    await assertProblem(t, read, 401);
    t.regex(read.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    await assertProblem(
      t,
      await server.as(token).fetch('/tickets', json('POST', { title: 'Forged', requester: 'x@customers.example' })),
      401,
    );
  }
  t.deepEqual(await everything(), before);
});

test.serial(
  'a token in the query string is refused, never accepted, whatever its name and with or without a header',
  async (t) => {
    const before = await everything();
    for (const name of ['access_token', 'token', 'api_key']) {
      const alone = await server.fetch(`/tickets?${name}=${encodeURIComponent(server.adminToken)}`, {
        headers: { Authorization: '' },
      });
      const problem = await assertProblem(t, alone, 400);
      t.deepEqual(namedFields(problem), [name]);
      await assertProblem(t, await server.fetch(`/tickets?${name}=${encodeURIComponent(server.adminToken)}`), 400);
      await assertProblem(t, await server.fetch(`/faqs?${name}=x`, { headers: { Authorization: '' } }), 400);
      const write = await server.fetch(
        `/tickets?${name}=${server.adminToken}`,
        json('POST', { title: 'Via the URL', requester: 'x@customers.example' }, { Authorization: '' }),
      );
      await assertProblem(t, write, 400);
    }
    t.deepEqual(await everything(), before);
  },
);

test.serial('a role that may see but not act gets 403 problems, and nothing changes', async (t) => {
  const [alice, agent] = await Promise.all([requester(server, 'alice'), actorOf(server, 'agent')]);
  const own = (await (
    await server.as(alice.token).fetch('/tickets', json('POST', { title: 'Mine' }))
  ).json()) as Ticket;
  const other = await createTicket(server, alice.email);
  const faq = await createFaq(server, { status: 'published' });
  const draft = await createFaq(server, { status: 'draft' });
  const before = await everything();
  const refusals: [string | null, string, string, unknown?][] = [
    [alice.token, 'DELETE', `/tickets/${own.id}`],
    [alice.token, 'POST', `/tickets/${own.id}/promote`],
    [alice.token, 'POST', `/tickets/${own.id}/merge`, { into: other.id }],
    [alice.token, 'POST', '/faqs', { question: `Mine ${uniqueWord()}?` }],
    [alice.token, 'PUT', `/faqs/${faq.id}`, { question: `Mine ${uniqueWord()}?` }],
    [alice.token, 'PATCH', `/faqs/${faq.id}`, { answer: 'Mine' }],
    [alice.token, 'DELETE', `/faqs/${faq.id}`],
    [alice.token, 'POST', `/faqs/${draft.id}/publish`],
    [alice.token, 'POST', '/v1/faqs', { question: `Mine ${uniqueWord()}?` }],
    [alice.token, 'GET', '/tokens'],
    [agent.token, 'POST', '/tokens', { name: 'escalation', role: 'admin' }],
    [agent.token, 'GET', '/tokens'],
    [agent.token, 'DELETE', '/tokens/1'],
  ];
  for (const [token, method, path, body] of refusals) {
    const init = body === undefined ? { method } : json(method, body);
    const problem = await assertProblem(t, await server.as(token).fetch(path, init), 403);
    t.is(problemKind(problem), 'forbidden', `${method} ${path}`);
  }
  t.deepEqual(await everything(), before);
});
