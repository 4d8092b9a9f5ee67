import test, { type ExecutionContext } from 'ava';
import { type HalDocument, everyLink, expand, HAL_FORMS, linkOf } from '../../helpers/hypermedia.ts';
import { PROBLEM_TYPES } from '../../../src/http/problem.ts';
import { endpoints } from '../../../src/links/registry.ts';
import { RELATIONS } from '../../../src/links/relations.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
let home: HalDocument;
test.before(async () => {
  server = await startTestServer();
  home = (await (await server.fetch('/')).json()) as HalDocument;
});
test.after.always(() => server.close());

/** Relations every HAL client knows from their registries (RFC 8288, RFC 5988 paging, RFC 6573, RFC 6906, RFC 8631). */
const GENERIC_RELATIONS = new Set([
  'self',
  'first',
  'prev',
  'next',
  'last',
  'collection',
  'item',
  'describedby',
  'profile',
  'help',
  'service-desc',
  'service-doc',
]);

async function document(path: string): Promise<HalDocument> {
  const response = await server.fetch(path, { headers: { Accept: HAL_FORMS } });
  if (response.status !== 200 && response.status !== 201)
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as HalDocument;
}

async function assertHtmlPage(t: ExecutionContext, href: string, heading: string): Promise<string> {
  const page = await server.fetch(href, { headers: { Accept: 'text/html' } });
  t.is(page.status, 200, href);
  t.regex(page.headers.get('content-type') ?? '', /^text\/html/, href);
  const html = await page.text();
  t.true(html.includes(`<h1>${heading}</h1>`), `${href} is headed "${heading}"`);
  return html;
}

test('every relation the API links with, beyond the generic ones, has a human page linked from the home document', async (t) => {
  const tickets = expand(linkOf(home, 'tickets').href);
  const faqs = expand(linkOf(home, 'faqs').href);
  const ticket = (await (
    await server.fetch(tickets, json('POST', { title: 'Relations ticket', requester: 'rels@customers.example' }))
  ).json()) as HalDocument;
  const other = (await (
    await server.fetch(faqs, json('POST', { question: 'Which relations exist?' }))
  ).json()) as HalDocument;
  await server.fetch(
    faqs,
    json('POST', { question: 'Are relations documented?', source: ticket.id, related: [other.id] }),
  );
  await server.fetch(faqs, json('POST', { question: 'Is paging a relation?' }));

  // What a client meets walking the API: home, a page with neighbours, a ticket, FAQs with a source and related ones, search.
  const walked = [
    home,
    await document(expand(linkOf(home, 'faqs').href, { size: 1, page: 2 })),
    await document(linkOf(ticket, 'self').href),
    await document(faqs),
    await document(expand(linkOf(home, 'search').href, { q: 'relations' })),
  ];
  const used = new Set(walked.flatMap(everyLink).map(([rel]) => rel));
  for (const rel of ['source', 'related', 'promote', 'merge', 'search', 'faqs', 'tickets'])
    t.true(used.has(rel), `the walk met ${rel}`);

  const help = home._links.help as { href: string; name: string; type: string }[];
  const documented = new Map(help.map((link) => [link.name, link]));
  const custom = [...used].filter((rel) => !GENERIC_RELATIONS.has(rel)).sort();
  t.deepEqual(
    custom.filter((rel) => !documented.has(rel)),
    [],
    'relations without a help link from /',
  );
  for (const rel of custom) {
    const link = documented.get(rel)!;
    t.is(link.type, 'text/html', rel);
    await assertHtmlPage(t, link.href, `Relation: ${rel}`);
  }
});

test('the type of a real problem leads to a human page explaining it', async (t) => {
  const tickets = expand(linkOf(home, 'tickets').href);
  const faqs = expand(linkOf(home, 'faqs').href);
  await server.fetch(faqs, json('POST', { question: 'Can a question be asked twice?' }));
  const exchanges: [number, string, RequestInit | undefined][] = [
    [404, expand(linkOf(home, 'ticket').href, { id: 987654 }), undefined],
    [400, tickets, json('POST', { title: 'No requester' })],
    [409, faqs, json('POST', { question: 'can a question be asked twice?' })],
    [406, tickets, { headers: { Accept: 'text/csv' } }],
  ];
  for (const [status, path, init] of exchanges) {
    const response = await server.fetch(path, init);
    t.is(response.status, status, path);
    const problem = (await response.json()) as { type: string; title: string; status: number };
    t.is(problem.status, status);
    // `type` is a URI reference: resolve it against the request, as RFC 9457 says.
    const type = new URL(problem.type, new URL(path, server.url));
    t.is(type.origin, new URL(server.url).origin, 'the problem types are documented here');
    const html = await assertHtmlPage(t, type.pathname, problem.title);
    t.true(html.includes(`<code>${status}</code>`), `${type.pathname} names its status`);
  }
});

test('every problem-type and relation page shows code as code, with no stray backticks', async (t) => {
  const pages = [
    ...Object.entries(PROBLEM_TYPES).map(([kind, { title }]) => ({
      href: endpoints.problem.href({ kind }),
      heading: title,
    })),
    ...Object.keys(RELATIONS).map((rel) => ({ href: endpoints.relation.href({ rel }), heading: `Relation: ${rel}` })),
  ];
  for (const { href, heading } of pages) {
    const html = await assertHtmlPage(t, href, heading);
    t.false(html.includes('`'), `${href} shows a backtick`);
  }
  const invalid = await assertHtmlPage(
    t,
    endpoints.problem.href({ kind: 'invalid-request' }),
    PROBLEM_TYPES['invalid-request'].title,
  );
  t.true(invalid.includes('<code>errors</code> names every field'), 'the errors member is set as code');
});

test('unknown relation, problem and deprecation pages are 404 problems', async (t) => {
  const helpHref = (home._links.help as { href: string }[])[0]!.href;
  const relationPage = (rel: string) => helpHref.replace(/[^/]+$/, rel);
  for (const path of [
    relationPage('no-such-relation'),
    relationPage('__proto__'),
    relationPage('constructor'),
    '/problems/no-such-problem',
    '/problems/toString',
    '/docs/deprecations/faq-v0',
  ]) {
    const response = await server.fetch(path, { headers: { Accept: 'text/html' } });
    t.is(response.status, 404, path);
    t.is(response.headers.get('content-type'), 'application/problem+json', path);
    const problem = (await response.json()) as { status: number; detail: string };
    t.is(problem.status, 404);
    t.truthy(problem.detail);
  }
});
