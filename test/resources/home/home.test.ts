import test from 'ava';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

test('the home document links every entry point, templated where it has variables', async (t) => {
  const response = await server.fetch('/');
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/hal+json');
  t.truthy(response.headers.get('etag'));
  type Link = { href: string; templated?: boolean; name?: string; type?: string };
  const home = (await response.json()) as { _links: Record<string, Link> & { help: Link[] } };
  t.deepEqual(home._links.self, { href: server.at('/') });
  t.is(home._links.ticket?.href, server.at('/tickets/{id}'));
  t.true(home._links.ticket?.templated);
  t.true(home._links.tickets!.href.startsWith(server.at('/tickets{?page,size,status,q')), home._links.tickets!.href);
  t.true(home._links.faqs!.href.startsWith(server.at('/faqs{?page,size,status,q')), home._links.faqs!.href);
  t.is(home._links.faq?.href, server.at('/faqs/{id}'));
  t.is(home._links.search?.href, server.at('/search{?q}'));
  for (const link of Object.values(home._links).flat()) t.is(link.templated === true, link.href.includes('{'));
});

test('the home document links a human page for each relation the API defines', async (t) => {
  const home = (await (await server.fetch('/')).json()) as {
    _links: { help: { href: string; name: string; type: string }[] };
  };
  const documented = home._links.help.map((link) => link.name);
  for (const rel of ['tickets', 'ticket', 'faqs', 'faq', 'search', 'promote', 'merge', 'source', 'publish'])
    t.true(documented.includes(rel), rel);
  for (const link of home._links.help) {
    t.is(link.type, 'text/html');
    const page = await server.fetch(link.href, { headers: { Accept: 'text/html' } });
    t.is(page.status, 200);
    t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
    t.true((await page.text()).includes(`<h1>Relation: ${link.name}</h1>`));
  }
});

test('the home document explains only the relations its caller may follow', async (t) => {
  const helpOf = async (token: string | null) => {
    const home = (await (await server.as(token).fetch('/')).json()) as { _links: { help: { name: string }[] } };
    return home._links.help.map((link) => link.name);
  };
  t.deepEqual(await helpOf(null), ['faqs', 'faq', 'search', 'related'], 'anonymous: the knowledge base and search');
  const agent = await helpOf(await server.mint('agent', 'help-agent'));
  t.deepEqual(agent, [
    'tickets',
    'ticket',
    'faqs',
    'faq',
    'search',
    'promote',
    'merge',
    'source',
    'related',
    'publish',
    'imports',
    'rejections',
  ]);
  t.false(agent.includes('tokens'), 'only admins manage tokens');
  const requester = await helpOf(await server.mint('requester', 'help-requester', 'help@customers.example'));
  t.deepEqual(requester, ['tickets', 'ticket', 'faqs', 'faq', 'search', 'related']);
});
