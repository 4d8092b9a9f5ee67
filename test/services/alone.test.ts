// Each service alone serves its own kind only: the FAQ service has no tickets and takes a ticket's absolute
// URI as an FAQ's source; the ticket service has no FAQs of its own and no v1 (the FAQ contract).
import test from 'ava';
import { HAL_FORMS, type HalDocument, expand, linkOf, propertyOf } from '../helpers/hypermedia.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

let faqService: TestServer;
let ticketService: TestServer;
test.before(async () => {
  faqService = await startTestServer({ SERVICES: 'faqs' });
  ticketService = await startTestServer({
    SERVICES: 'tickets',
    FAQ_API: `${faqService.url}/`,
    FAQ_API_TOKEN: faqService.adminToken,
  });
});
test.after.always(async () => {
  await ticketService?.close();
  await faqService?.close();
});

const TICKET = 'http://desk.example/tickets/7';
const refusedFaqs = () =>
  faqService.inspect((db) =>
    db.selectFrom('faqs').select('question').where('question', 'like', 'Refused source%').execute(),
  );

test("the FAQ service's home links to FAQs and search, and to no tickets", async (t) => {
  const home = (await (await faqService.fetch('/')).json()) as HalDocument;
  t.is(home.name, 'Helpdesk FAQs');
  for (const rel of ['faqs', 'faq', 'search', 'tokens']) t.truthy(home._links[rel], rel);
  t.is(home._links.tickets, undefined);
  t.is(home._links.ticket, undefined);
  t.is((await faqService.fetch('/tickets')).status, 404);
  t.is((await faqService.fetch('/tickets/1/promote', { method: 'POST' })).status, 404);
});

test("the FAQ service keeps a ticket's absolute URI as source, links to it, and filters by it", async (t) => {
  const created = await faqService.fetch(
    '/faqs',
    json('POST', { question: 'Where is ticket seven from?', source: TICKET }),
  );
  t.is(created.status, 201);
  const faq = (await created.json()) as HalDocument;
  t.is(faq.source, TICKET);
  t.is(linkOf(faq, 'source').href, TICKET);
  const listed = (await (await faqService.fetch(`/faqs?source=${encodeURIComponent(TICKET)}`)).json()) as HalDocument;
  t.deepEqual(
    listed._embedded?.faqs?.map((item) => item.question),
    ['Where is ticket seven from?'],
  );
  const other = (await (
    await faqService.fetch(`/faqs?source=${encodeURIComponent(`${TICKET}0`)}`)
  ).json()) as HalDocument;
  t.deepEqual(other._embedded?.faqs, []);
  // v1 names sources by ticket id: a ticket on another service cannot be said there.
  const v1 = (await (await faqService.fetch(`/v1/faqs/${faq.id}`)).json()) as HalDocument;
  t.is(v1.source, null);
});

test("the FAQ service refuses a source that is not a ticket's absolute URI, and creates nothing", async (t) => {
  for (const source of [7, '7', '/tickets/7', 'mailto:someone@example.com', 'http://desk.example/tickets/7#x']) {
    const response = await faqService.fetch(
      '/faqs',
      json('POST', { question: `Refused source ${JSON.stringify(source)}`, source }),
    );
    t.is(response.status, 400, JSON.stringify(source));
    const problem = (await response.json()) as { errors: { pointer: string; detail: string }[] };
    t.deepEqual(problem.errors, [{ pointer: '#/source', detail: 'is not the absolute URI of a ticket' }]);
  }
  const filtered = await faqService.fetch('/faqs?source=7');
  t.is(filtered.status, 400);
  t.deepEqual(await refusedFaqs(), []);
});

test('the ticket service has no FAQ routes of its own and no v1; its home leads to the FAQ service', async (t) => {
  for (const path of ['/faqs', '/faqs/1', '/v1/', '/v1/faqs'])
    t.is((await ticketService.fetch(path)).status, 404, path);
  const home = (await (await ticketService.fetch('/')).json()) as HalDocument;
  t.is(linkOf(home, 'faqs').href, `${faqService.url}/faqs{?page,size,status,q,source}`);
  t.is(linkOf(home, 'faq').href, `${faqService.url}/faqs/{id}`);
  t.truthy(home._links.tickets);
});

test('the ticket service searches tickets and links to the FAQ service for matching FAQs', async (t) => {
  t.is(
    (
      await ticketService.fetch(
        '/tickets',
        json('POST', { title: 'Searchable teapot', requester: 'tea@customers.example' }),
      )
    ).status,
    201,
  );
  const results = (await (await ticketService.fetch('/search?q=teapot')).json()) as HalDocument & {
    matches: { tickets: number; faqs: number | null };
  };
  t.deepEqual(results.matches, { tickets: 1, faqs: null });
  t.is(linkOf(results, 'faqs').href, `${faqService.url}/faqs?q=teapot`);
  const [ticket] = results._embedded?.tickets ?? [];
  t.true(linkOf(ticket!, 'faqs').href.startsWith(`${faqService.url}/faqs?source=`));
});

test("the FAQ service's forms ask for the source ticket's URI, offering no ticket list it does not have", async (t) => {
  const collection = (await (
    await faqService.fetch('/faqs', { headers: { Accept: HAL_FORMS } })
  ).json()) as HalDocument;
  const source = propertyOf(collection._templates!.default!, 'source');
  t.is(source.options, undefined);
  t.regex(source.prompt ?? '', /Source/);
  // The related FAQs are still offered from the FAQ service's own collection, which is there.
  const related = propertyOf(collection._templates!.default!, 'related');
  t.is((await faqService.fetch(expand(related.options!.link!.href))).status, 200);
});

test('the FAQ service alone searches FAQs and says nothing of tickets it does not have: null, not zero', async (t) => {
  const created = await faqService.fetch('/faqs', json('POST', { question: 'Searchable alone: how do I print?' }));
  t.is(created.status, 201);
  const results = (await (await faqService.fetch('/search?q=searchable')).json()) as HalDocument;
  t.deepEqual(
    [results.matches, results.matchesAreLowerBounds, results.order],
    [
      { tickets: null, faqs: 1 },
      { tickets: null, faqs: false },
      { tickets: null, faqs: 'relevance' },
    ],
  );
  t.deepEqual(results._embedded?.tickets, []);
  t.is(results._links.tickets, undefined);
});

test('with PUBLIC_URL the ticket service names its tickets by that root, whatever host a client used', async (t) => {
  const behindProxy = await startTestServer({
    SERVICES: 'tickets',
    FAQ_API: `${faqService.url}/`,
    FAQ_API_TOKEN: faqService.adminToken,
    PUBLIC_URL: 'https://desk.example/',
  });
  try {
    const created = await behindProxy.fetch(
      '/tickets',
      json('POST', { title: 'Named by the public root', requester: 'public@customers.example' }),
    );
    const ticket = (await created.json()) as HalDocument;
    t.is(
      linkOf(ticket, 'faqs').href,
      `${faqService.url}/faqs?source=${encodeURIComponent(`https://desk.example/tickets/${ticket.id}`)}`,
    );
    const promoted = await behindProxy.fetch(`/tickets/${ticket.id}/promote`, { method: 'POST' });
    t.is(promoted.status, 201);
    const faq = (await (
      await faqService.fetch(new URL(promoted.headers.get('Location')!).pathname)
    ).json()) as HalDocument;
    t.is(faq.source, `https://desk.example/tickets/${ticket.id}`);
  } finally {
    await behindProxy.close();
  }
});
