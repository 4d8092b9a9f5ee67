// Promoting a ticket makes a draft FAQ from it, once: asking again points to the FAQ already made.
// Tests that count resources are serial (ava runs them before the concurrent ones), so nothing else writes meanwhile.
import test from 'ava';
import { embedded, halViolations, hrefOf, linksOf } from '../../helpers/hal.ts';
import { expectProblem } from '../../helpers/problem.ts';
import { type FaqBody, counts, createFaq, createTicket, getJson, send } from '../../helpers/seed.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

test('promoting a ticket is 201 with Location of a draft FAQ asking its title, sourced from it', async (t) => {
  const ticket = await createTicket(server);
  const response = await server.fetch(hrefOf(ticket.body, 'promote'), { method: 'POST' });
  t.is(response.status, 201);
  const faq = (await response.json()) as FaqBody;
  t.is(response.headers.get('location'), server.at(`/faqs/${faq.id}`));
  t.truthy(response.headers.get('etag'));
  t.like(faq, { question: ticket.body.title, answer: null, status: 'draft', source: ticket.location });
  t.deepEqual(faq.related, []);
  t.is(hrefOf(faq, 'source'), ticket.location);
  t.deepEqual(halViolations(faq), []);
  const read = await getJson<FaqBody>(server, response.headers.get('location')!);
  t.deepEqual(read.body, faq);
});

test("the ticket's faqs link lists the FAQ promoted from it", async (t) => {
  const ticket = await createTicket(server);
  const { body: faq } = await getJson<FaqBody>(server, hrefOf(ticket.body, 'promote'), { method: 'POST' });
  const { status, body } = await getJson(server, hrefOf(ticket.body, 'faqs'));
  t.is(status, 200);
  t.deepEqual(
    embedded(body, 'faqs').map((item) => item.id),
    [faq.id],
  );
});

test.serial('promoting again is 303 See Other to the FAQ already made, and creates nothing', async (t) => {
  const ticket = await createTicket(server);
  const first = await send(server, hrefOf(ticket.body, 'promote'), { method: 'POST' });
  const location = first.response.headers.get('location');
  const before = await counts(server);
  const again = await server.fetch(hrefOf(ticket.body, 'promote'), { method: 'POST' });
  t.is(again.status, 303);
  t.is(again.headers.get('location'), location);
  await again.arrayBuffer();
  t.deepEqual(await counts(server), before);
  const { body } = await getJson(server, hrefOf(ticket.body, 'faqs'));
  t.is(embedded(body, 'faqs').length, 1);
});

test('promotes of one ticket sent at once make one FAQ; the others are 303 to it', async (t) => {
  const ticket = await createTicket(server);
  const answers = await Promise.all(
    [1, 2, 3].map(() => send(server, hrefOf(ticket.body, 'promote'), { method: 'POST' })),
  );
  t.deepEqual(answers.map((a) => a.status).sort(), [201, 303, 303]);
  const locations = new Set(answers.map((a) => a.response.headers.get('location')));
  t.is(locations.size, 1);
  const { body } = await getJson(server, hrefOf(ticket.body, 'faqs'));
  t.is(embedded(body, 'faqs').length, 1);
});

test('the promoted question is the title without surrounding spaces', async (t) => {
  const ticket = await createTicket(server, { title: `  Spaced ${Date.now()}  ` });
  const { body } = await getJson<FaqBody>(server, hrefOf(ticket.body, 'promote'), { method: 'POST' });
  t.is(body.question, ticket.body.title.trim());
});

test.serial('promoting a ticket whose title another FAQ already asks is 409 and creates nothing', async (t) => {
  const faq = await createFaq(server);
  const ticket = await createTicket(server, { title: `  ${faq.body.question.toUpperCase()} ` });
  const before = await counts(server);
  await expectProblem(t, await server.fetch(hrefOf(ticket.body, 'promote'), { method: 'POST' }), 409);
  t.deepEqual(await counts(server), before);
  const { body } = await getJson(server, hrefOf(ticket.body, 'faqs'));
  t.deepEqual(embedded(body, 'faqs'), []);
});

test('once the promoted FAQ is deleted, promoting makes a new one', async (t) => {
  const ticket = await createTicket(server);
  const first = await send(server, hrefOf(ticket.body, 'promote'), { method: 'POST' });
  await send(server, first.response.headers.get('location')!, { method: 'DELETE' });
  const again = await getJson<FaqBody>(server, hrefOf(ticket.body, 'promote'), { method: 'POST' });
  t.is(again.status, 201);
  t.not(again.response.headers.get('location'), first.response.headers.get('location'));
  t.is(again.body.source, ticket.location);
});

test('promoting a ticket that never existed is 404, a deleted one 410', async (t) => {
  await expectProblem(t, await server.fetch('/tickets/999999/promote', { method: 'POST' }), 404);
  const ticket = await createTicket(server);
  await send(server, ticket.location, { method: 'DELETE' });
  await expectProblem(t, await server.fetch(hrefOf(ticket.body, 'promote'), { method: 'POST' }), 410);
});

test('promote only takes POST: GET is 405 with Allow', async (t) => {
  const ticket = await createTicket(server);
  const response = await server.fetch(hrefOf(ticket.body, 'promote'));
  await expectProblem(t, response, 405);
  t.is(response.headers.get('allow'), 'POST');
  t.deepEqual(linksOf(ticket.body, 'promote').length, 1);
});
