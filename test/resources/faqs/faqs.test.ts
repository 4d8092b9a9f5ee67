// FAQs: create, read, change and delete; questions unique among live FAQs; a published FAQ has an answer.
// Tests that count resources are serial (ava runs them before the concurrent ones), so nothing else writes meanwhile.
import test from 'ava';
import { embedded, halViolations, hrefOf, linksOf, withoutOrigin } from '../../helpers/hal.ts';
import { expectProblem, namedFields } from '../../helpers/problem.ts';
import { type FaqBody, counts, createFaq, createTicket, getJson, send, snapshot, unique } from '../../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

test('creating an FAQ is 201 with Location, and following Location gives it', async (t) => {
  const question = unique('Where is');
  const response = await server.fetch('/faqs', json('POST', { question }));
  t.is(response.status, 201);
  t.is(response.headers.get('content-type'), 'application/hal+json');
  const created = (await response.json()) as FaqBody;
  t.is(response.headers.get('location'), server.at(`/faqs/${created.id}`));
  t.is(withoutOrigin(response.headers.get('etag')), '"v1-admin"');
  const read = await getJson<FaqBody>(server, response.headers.get('location')!);
  t.is(read.status, 200);
  t.deepEqual(read.body, created);
});

test('a new FAQ is a draft without answer, source or related FAQs', async (t) => {
  const { body } = await createFaq(server);
  t.like(body, { answer: null, status: 'draft', source: null });
  t.deepEqual(body.related, []);
  t.deepEqual(halViolations(body), []);
  t.is(hrefOf(body, 'self'), server.at(`/faqs/${body.id}`));
  t.is(hrefOf(body, 'collection'), server.at('/faqs'));
  t.deepEqual(body._links.related, [], 'related is an array even when empty');
  t.deepEqual(linksOf(body, 'source'), [], 'no source link without a source');
});

test('an FAQ may be published with an answer', async (t) => {
  const { body } = await createFaq(server, { answer: 'Turn it off and on.', status: 'published' });
  t.like(body, { answer: 'Turn it off and on.', status: 'published' });
});

test('source may name the ticket by id, relative URI or absolute URI', async (t) => {
  const ticket = await createTicket(server);
  for (const source of [
    ticket.body.id,
    String(ticket.body.id),
    ticket.location,
    new URL(ticket.location, server.url).href,
  ]) {
    const { body } = await createFaq(server, { source });
    t.is(body.source, ticket.location, JSON.stringify(source));
    t.is(hrefOf(body, 'source'), ticket.location);
  }
});

test('related may name FAQs by id, relative URI or absolute URI, and keeps their order', async (t) => {
  const a = await createFaq(server);
  const b = await createFaq(server);
  const c = await createFaq(server);
  const { body } = await createFaq(server, { related: [c.body.id, b.location, new URL(a.location, server.url).href] });
  t.deepEqual(body.related, [c.location, b.location, a.location]);
  t.deepEqual(
    linksOf(body, 'related').map((link) => link.href),
    [c.location, b.location, a.location],
  );
  t.deepEqual((await getJson<FaqBody>(server, `/faqs/${body.id}`)).body.related, body.related);
});

test.serial('related naming a missing FAQ is 400 naming #/related/N, and creates nothing', async (t) => {
  const a = await createFaq(server);
  const before = await counts(server);
  const problem = await expectProblem(
    t,
    await server.fetch('/faqs', json('POST', { question: unique('Q'), related: [a.body.id, 999999, '/faqs/abc'] })),
    400,
  );
  t.deepEqual(namedFields(problem), ['#/related/1', '#/related/2']);
  t.deepEqual(await counts(server), before);
});

test.serial('related naming the same FAQ twice is 400 naming the repeat, and creates nothing', async (t) => {
  const a = await createFaq(server);
  const before = await counts(server);
  const problem = await expectProblem(
    t,
    await server.fetch('/faqs', json('POST', { question: unique('Q'), related: [a.body.id, a.location] })),
    400,
  );
  t.deepEqual(namedFields(problem), ['#/related/1']);
  t.deepEqual(await counts(server), before);
});

test.serial('source naming a missing or deleted ticket is 400 naming #/source, and creates nothing', async (t) => {
  const deleted = await createTicket(server);
  await send(server, deleted.location, { method: 'DELETE' });
  const before = await counts(server);
  for (const source of [999999, '/tickets/999999', deleted.location, '/faqs/1', 'http://example.com/tickets/1']) {
    const problem = await expectProblem(
      t,
      await server.fetch('/faqs', json('POST', { question: unique('Q'), source })),
      400,
    );
    t.deepEqual(namedFields(problem), ['#/source'], JSON.stringify(source));
  }
  t.deepEqual(await counts(server), before);
});

test.serial('publishing without an answer is refused on create and replace, and changes nothing', async (t) => {
  const before = await counts(server);
  for (const answer of [undefined, null, '', '   ']) {
    const problem = await expectProblem(
      t,
      await server.fetch('/faqs', json('POST', { question: unique('Q'), status: 'published', answer })),
      400,
    );
    t.deepEqual(namedFields(problem), ['#/answer']);
  }
  t.deepEqual(await counts(server), before);
  const draft = await createFaq(server);
  const snap = await snapshot(server, draft.location);
  const problem = await expectProblem(
    t,
    await server.fetch(draft.location, json('PUT', { question: draft.body.question, status: 'published' })),
    400,
  );
  t.deepEqual(namedFields(problem), ['#/answer']);
  t.deepEqual(await snapshot(server, draft.location), snap);
});

test('publishing a draft by PATCH without an answer is 409, and so is removing the answer of a published FAQ', async (t) => {
  const draft = await createFaq(server);
  const draftBefore = await snapshot(server, draft.location);
  await expectProblem(t, await server.fetch(draft.location, json('PATCH', { status: 'published' })), 409);
  t.deepEqual(await snapshot(server, draft.location), draftBefore);
  const published = await createFaq(server, { answer: 'Yes.', status: 'published' });
  const publishedBefore = await snapshot(server, published.location);
  await expectProblem(t, await server.fetch(published.location, json('PATCH', { answer: null })), 409);
  t.deepEqual(await snapshot(server, published.location), publishedBefore);
});

test('publishing a draft by PATCH with its answer in the same change succeeds', async (t) => {
  const draft = await createFaq(server);
  const { status, body } = await getJson<FaqBody>(
    server,
    draft.location,
    json('PATCH', { status: 'published', answer: 'Like this.' }),
  );
  t.is(status, 200);
  t.like(body, { status: 'published', answer: 'Like this.' });
});

test.serial(
  'a question another live FAQ asks is 409, ignoring case and surrounding spaces, and creates nothing',
  async (t) => {
    const { body } = await createFaq(server, { question: unique('How do I reset') });
    const before = await counts(server);
    for (const question of [body.question, body.question.toUpperCase(), `  ${body.question.toLowerCase()}\t`]) {
      await expectProblem(t, await server.fetch('/faqs', json('POST', { question })), 409);
    }
    t.deepEqual(await counts(server), before);
  },
);

test('a question that differs only in Unicode normalisation is the same question', async (t) => {
  const stem = unique('Café');
  await createFaq(server, { question: stem.normalize('NFC') });
  await expectProblem(t, await server.fetch('/faqs', json('POST', { question: stem.normalize('NFD') })), 409);
});

test('of two FAQs created at once with the same question, one is 201 and the other 409', async (t) => {
  const question = unique('Simultaneous');
  const statuses = await Promise.all(
    [1, 2].map(async () => (await send(server, '/faqs', json('POST', { question }))).status),
  );
  t.deepEqual(statuses.sort(), [201, 409]);
});

test('changing a question to one another FAQ asks is 409 for PATCH and PUT, and changes nothing', async (t) => {
  const taken = await createFaq(server);
  const mine = await createFaq(server);
  const before = await snapshot(server, mine.location);
  await expectProblem(
    t,
    await server.fetch(mine.location, json('PATCH', { question: ` ${taken.body.question.toUpperCase()} ` })),
    409,
  );
  await expectProblem(t, await server.fetch(mine.location, json('PUT', { question: taken.body.question })), 409);
  t.deepEqual(await snapshot(server, mine.location), before);
});

test('a question is stored without surrounding spaces', async (t) => {
  const question = unique('Trimmed');
  const { body } = await createFaq(server, { question: `   ${question}  ` });
  t.is(body.question, question);
});

test('an FAQ may keep its own question when it is changed', async (t) => {
  const faq = await createFaq(server);
  const { status } = await send(
    server,
    faq.location,
    json('PUT', { question: faq.body.question.toUpperCase(), answer: 'A' }),
  );
  t.is(status, 200);
});

test('deleting an FAQ frees its question for a new one', async (t) => {
  const faq = await createFaq(server);
  await send(server, faq.location, { method: 'DELETE' });
  const again = await createFaq(server, { question: faq.body.question });
  t.not(again.location, faq.location);
});

test('PATCH changes only what it names; source null clears the source', async (t) => {
  const ticket = await createTicket(server);
  const other = await createFaq(server);
  const faq = await createFaq(server, { source: ticket.body.id, related: [other.body.id] });
  const response = await server.fetch(faq.location, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    body: JSON.stringify({ answer: 'Now answered.' }),
  });
  t.is(response.status, 200);
  const patched = (await response.json()) as FaqBody;
  t.like(patched, { question: faq.body.question, answer: 'Now answered.', source: ticket.location });
  t.deepEqual(patched.related, [other.location]);
  const cleared = await getJson<FaqBody>(server, faq.location, json('PATCH', { source: null, related: [] }));
  t.is(cleared.body.source, null);
  t.deepEqual(cleared.body.related, []);
  t.deepEqual(linksOf(cleared.body, 'source'), []);
  t.deepEqual(cleared.body._links.related, []);
});

test('PUT replaces the FAQ: what it leaves out goes back to its default', async (t) => {
  const ticket = await createTicket(server);
  const other = await createFaq(server);
  const faq = await createFaq(server, {
    answer: 'A',
    status: 'published',
    source: ticket.body.id,
    related: [other.body.id],
  });
  const question = unique('Replaced');
  const { status, body } = await getJson<FaqBody>(server, faq.location, json('PUT', { question }));
  t.is(status, 200);
  t.like(body, { question, answer: null, status: 'draft', source: null });
  t.deepEqual(body.related, []);
});

test('an FAQ cannot relate to itself', async (t) => {
  const faq = await createFaq(server);
  const before = await snapshot(server, faq.location);
  const problem = await expectProblem(
    t,
    await server.fetch(faq.location, json('PATCH', { related: [faq.location] })),
    400,
  );
  t.deepEqual(namedFields(problem), ['#/related/0']);
  t.deepEqual(await snapshot(server, faq.location), before);
});

test('deleted FAQs drop out of related, and the FAQs that listed them get a new ETag', async (t) => {
  const a = await createFaq(server);
  const b = await createFaq(server);
  const faq = await createFaq(server, { related: [a.body.id, b.body.id] });
  const response = await server.fetch(a.location, { method: 'DELETE' });
  t.is(response.status, 204);
  const now = await server.fetch(faq.location, { headers: { 'If-None-Match': faq.etag } });
  t.is(now.status, 200, 'a copy that still lists the deleted FAQ is not current');
  t.not(now.headers.get('etag'), faq.etag);
  const body = (await now.json()) as FaqBody;
  t.deepEqual(body.related, [b.location]);
  t.deepEqual(
    linksOf(body, 'related').map((link) => link.href),
    [b.location],
  );
  await expectProblem(
    t,
    await server.fetch(faq.location, json('PATCH', { answer: 'x' }, { 'If-Match': faq.etag })),
    412,
  );
});

test('deleting an FAQ is 204, and from then on it is 410 Gone', async (t) => {
  const faq = await createFaq(server);
  const response = await server.fetch(faq.location, { method: 'DELETE' });
  t.is(response.status, 204);
  t.is(await response.text(), '');
  await expectProblem(t, await server.fetch(faq.location), 410);
  await expectProblem(t, await server.fetch(faq.location, json('PATCH', { answer: 'x' })), 410);
  await expectProblem(t, await server.fetch(faq.location, json('PUT', { question: unique('x') })), 410);
  await expectProblem(t, await server.fetch(faq.location, { method: 'DELETE' }), 410);
});

test('FAQs that never existed are 404 problems', async (t) => {
  for (const path of ['/faqs/abc', '/faqs/0', '/faqs/999999', '/faqs/-3']) {
    await expectProblem(t, await server.fetch(path), 404);
  }
  await expectProblem(t, await server.fetch('/faqs/999999', json('PATCH', { answer: 'x' })), 404);
  await expectProblem(t, await server.fetch('/faqs/999999', { method: 'DELETE' }), 404);
});

test('the collection filters by status and by source (id or URI)', async (t) => {
  const ticket = await createTicket(server);
  const word = unique('filter').split(' ')[1]!;
  const published = await createFaq(server, {
    question: `Published ${word}`,
    answer: 'A',
    status: 'published',
    source: ticket.body.id,
  });
  const draft = await createFaq(server, { question: `Draft ${word}`, source: ticket.body.id });
  const listed = async (query: string) => {
    const { status, body } = await getJson(server, `/faqs?${query}`);
    t.is(status, 200, query);
    t.deepEqual(halViolations(body), []);
    return embedded(body, 'faqs').map((item) => item.id);
  };
  t.deepEqual(await listed(`q=${word}&status=published`), [published.body.id]);
  t.deepEqual(await listed(`q=${word}&status=draft`), [draft.body.id]);
  t.deepEqual(await listed(`source=${ticket.body.id}`), [published.body.id, draft.body.id]);
  t.deepEqual(await listed(`source=${encodeURIComponent(ticket.location)}`), [published.body.id, draft.body.id]);
  t.deepEqual(await listed(`source=${ticket.body.id}&status=draft`), [draft.body.id]);
});

test('field limits: a question over 500 characters or an answer over 20,000 is 400 naming it', async (t) => {
  const problem = await expectProblem(
    t,
    await server.fetch('/faqs', json('POST', { question: 'q'.repeat(501), answer: 'a'.repeat(20_001) })),
    400,
  );
  t.deepEqual(namedFields(problem), ['#/answer', '#/question']);
  const { status } = await send(
    server,
    '/faqs',
    json('POST', { question: `${unique('q')}${'q'.repeat(480)}`, answer: 'a'.repeat(20_000) }),
  );
  t.is(status, 201);
});
