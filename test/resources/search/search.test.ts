// Search across tickets and FAQs: both lists always present, links to the full lists, any text welcome.
import test from 'ava';
import { type HalDocument, embedded, expand, halViolations, hrefOf } from '../../helpers/hal.ts';
import { expectProblem } from '../../helpers/problem.ts';
import { createFaq, createTicket, getJson, send, unique } from '../../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
let searchTemplate: string;
test.before(async () => {
  server = await startTestServer();
  searchTemplate = hrefOf((await getJson(server, '/')).body, 'search');
});
test.after.always(() => server.close());

interface Results extends HalDocument {
  q: string | null;
  matches: { tickets: number; faqs: number };
}

async function search(q?: string): Promise<Results> {
  const { status, body } = await getJson<Results>(server, expand(searchTemplate, q === undefined ? {} : { q }));
  if (status !== 200) throw new Error(`search for ${JSON.stringify(q)} gave ${status}: ${JSON.stringify(body)}`);
  return body;
}

const idsOf = (results: HalDocument, rel: string) => embedded(results, rel).map((item) => item.id);

/** A word no other test uses, for searches that must find only this test's data. */
const word = () => unique('w').split(' ')[1]!;

test('a search embeds the matching tickets and FAQs and links to their full lists', async (t) => {
  const w = word();
  const ticket = await createTicket(server, { title: `Screen flickers ${w}` });
  const faq = await createFaq(server, { question: `Why does it flicker ${w}?` });
  const results = await search(w);
  t.deepEqual(halViolations(results), []);
  t.deepEqual(idsOf(results, 'tickets'), [ticket.body.id]);
  t.deepEqual(idsOf(results, 'faqs'), [faq.body.id]);
  t.deepEqual(results.matches, { tickets: 1, faqs: 1 });
  t.is(hrefOf(results, 'self'), server.at(`/search?q=${w}`));
  t.is(hrefOf(results, 'tickets'), server.at(`/tickets?q=${w}`));
  t.is(hrefOf(results, 'faqs'), server.at(`/faqs?q=${w}`));
  t.deepEqual(idsOf((await getJson(server, hrefOf(results, 'tickets'))).body, 'tickets'), [ticket.body.id]);
  t.deepEqual(idsOf((await getJson(server, hrefOf(results, 'faqs'))).body, 'faqs'), [faq.body.id]);
});

test('a search that finds nothing is 200 with both lists empty', async (t) => {
  const results = await search(word());
  t.deepEqual(embedded(results, 'tickets'), []);
  t.deepEqual(embedded(results, 'faqs'), []);
  t.deepEqual(results.matches, { tickets: 0, faqs: 0 });
  t.deepEqual(halViolations(results), []);
});

test('a search without q is 200 with both lists empty', async (t) => {
  for (const q of [undefined, '', '   ']) {
    const results = await search(q);
    t.deepEqual(embedded(results, 'tickets'), []);
    t.deepEqual(embedded(results, 'faqs'), []);
    t.is(results.q, null);
  }
});

test('the best ten of each kind are embedded; the linked lists have them all', async (t) => {
  const w = word();
  for (let i = 0; i < 12; i++) await createTicket(server, { title: `Many ${w} ${i}` });
  for (let i = 0; i < 11; i++) await createFaq(server, { question: `How many ${w} ${i}?` });
  const results = await search(w);
  t.is(embedded(results, 'tickets').length, 10);
  t.is(embedded(results, 'faqs').length, 10);
  t.deepEqual(results.matches, { tickets: 12, faqs: 11 }, 'counted past the ten embedded, of each kind');
  const { body } = await getJson<{ page: { totalElements: number } } & HalDocument>(server, hrefOf(results, 'tickets'));
  t.is(body.page.totalElements, 12);
});

test('the beginning of a word finds it, in any case', async (t) => {
  const w = word();
  const ticket = await createTicket(server, { title: `Keyboard${w} sticks` });
  t.deepEqual(idsOf(await search(`KEYBOARD${w.slice(0, 2)}`), 'tickets'), [ticket.body.id]);
});

test('every word of q must match', async (t) => {
  const w = word();
  const both = await createTicket(server, { title: `Mouse ${w} battery` });
  await createTicket(server, { title: `Mouse ${w} cable` });
  t.deepEqual(idsOf(await search(`${w} battery`), 'tickets'), [both.body.id]);
});

test('non-ASCII text is found, with or without its accents', async (t) => {
  const w = word();
  const ticket = await createTicket(server, {
    title: `Café crème ${w}`,
    description: 'Привет мир, 日本語, Ελλάδα, हिन्दी',
  });
  const faq = await createFaq(server, { question: `Où est la clé ${w} ?` });
  for (const q of ['café', 'cafe', 'CRÈME', 'привет', 'МИР', '日本語', 'Ελλάδα', 'हिन्दी']) {
    t.deepEqual(idsOf(await search(`${q} ${w}`), 'tickets'), [ticket.body.id], q);
  }
  t.deepEqual(idsOf(await search(`clé ${w}`), 'faqs'), [faq.body.id]);
  t.deepEqual(idsOf(await search(`cle ${w}`), 'faqs'), [faq.body.id]);
});

test('full-text query syntax in q is searched as plain text, never an error', async (t) => {
  const w = word();
  const ticket = await createTicket(server, { title: `Syntax ${w} AND OR NOT NEAR title x` });
  const syntax = [
    '"',
    '*',
    'AND OR NOT',
    'NEAR(',
    'NEAR(x title)',
    'title:x',
    '^x',
    '-x',
    '(',
    ')',
    '{}',
    "'",
    '\\',
    '%',
    '_',
    'x"',
    '"x',
    'x*',
  ];
  for (const q of syntax) {
    t.is((await send(server, expand(searchTemplate, { q }))).status, 200, q);
    t.deepEqual(idsOf(await search(`${q} ${w}`), 'tickets'), [ticket.body.id], `${q} with a word of the ticket`);
  }
});

test('SQL-looking text is searched as plain text', async (t) => {
  const w = word();
  const ticket = await createTicket(server, { title: `'; DROP TABLE tickets; -- ${w}` });
  t.deepEqual(idsOf(await search(`'; DROP TABLE tickets; -- ${w}`), 'tickets'), [ticket.body.id]);
  t.deepEqual(idsOf(await search(`' OR 1=1 -- ${w}`), 'tickets'), []);
  t.is((await getJson(server, ticket.location)).status, 200);
});

test('deleted and merged tickets and deleted FAQs are not found', async (t) => {
  const w = word();
  const deleted = await createTicket(server, { title: `Deleted ${w}` });
  const merged = await createTicket(server, { title: `Merged ${w}` });
  const survivor = await createTicket(server, { title: `Survivor ${w}` });
  const faq = await createFaq(server, { question: `Deleted FAQ ${w}` });
  await send(server, deleted.location, { method: 'DELETE' });
  await send(server, hrefOf(merged.body, 'merge'), json('POST', { into: survivor.body.id }));
  await send(server, faq.location, { method: 'DELETE' });
  const results = await search(w);
  t.deepEqual(idsOf(results, 'tickets'), [survivor.body.id]);
  t.deepEqual(idsOf(results, 'faqs'), []);
  t.deepEqual(results.matches, { tickets: 1, faqs: 0 });
});

test('a q over 200 characters or given twice is a 400 naming q', async (t) => {
  for (const path of [expand(searchTemplate, { q: 'x'.repeat(201) }), '/search?q=a&q=b']) {
    const problem = await expectProblem(t, await server.fetch(path), 400);
    t.deepEqual(
      problem.errors?.map((e) => e.parameter),
      ['q'],
    );
  }
});

test('changed text is found by its new words only', async (t) => {
  const w = word();
  const v = word();
  const ticket = await createTicket(server, { title: `Before ${w}` });
  await send(server, ticket.location, json('PATCH', { title: `After ${v}` }));
  t.deepEqual(idsOf(await search(w), 'tickets'), []);
  t.deepEqual(idsOf(await search(v), 'tickets'), [ticket.body.id]);
});

test('the same search asked again after a write finds what the write changed', async (t) => {
  const w = word();
  t.deepEqual(idsOf(await search(w), 'tickets'), []);
  t.deepEqual(idsOf(await search(w), 'tickets'), []);
  const ticket = await createTicket(server, { title: `Arrived ${w}` });
  t.deepEqual(idsOf(await search(w), 'tickets'), [ticket.body.id]);
  const faq = await createFaq(server, { question: `Arrived too ${w}?` });
  const results = await search(w);
  t.deepEqual(idsOf(results, 'faqs'), [faq.body.id]);
  t.deepEqual(results.matches, { tickets: 1, faqs: 1 });
  await send(server, ticket.location, json('PATCH', { title: 'Renamed' }));
  t.deepEqual(idsOf(await search(w), 'tickets'), []);
});
