// One live FAQ per question (ignoring case and surrounding spaces), enforced by the database's unique index on
// either engine: the refusal is a 409 whether it comes from SQLite or from PostgreSQL (SQLSTATE 23505).
import test from 'ava';
import { json, type TestServer, startTestServer } from '../../helpers/server.ts';

type Faq = { id: number; question: string };
type Listing = { page: { totalElements: number }; _embedded: { faqs: Faq[] } };

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server?.close());

const questions = async (q: string) => {
  const listing = (await (await server.fetch(`/faqs?q=${encodeURIComponent(q)}&size=100`)).json()) as Listing;
  return listing._embedded.faqs.map((faq) => faq.question);
};

test('creating an FAQ whose question is taken, in other case and spacing, is 409 and creates nothing', async (t) => {
  t.is(
    (
      await server.fetch(
        '/faqs',
        json('POST', { question: 'Where is my parcel?', answer: 'On its way.', status: 'published' }),
      )
    ).status,
    201,
  );
  const response = await server.fetch(
    '/faqs',
    json('POST', { question: '  WHERE is my PARCEL?  ', answer: 'Twice.', status: 'published' }),
  );
  t.is(response.status, 409);
  t.is(response.headers.get('content-type'), 'application/problem+json');
  const problem = (await response.json()) as { status: number; detail: string };
  t.is(problem.status, 409);
  t.regex(problem.detail, /already asks/);
  t.deepEqual(await questions('parcel'), ['Where is my parcel?']);
});

test('renaming an FAQ to a question another one asks is 409 and leaves it as it was', async (t) => {
  const first = (await (
    await server.fetch('/faqs', json('POST', { question: 'Can I pay by card?', answer: 'Yes.', status: 'published' }))
  ).json()) as Faq;
  const second = await server.fetch(
    '/faqs',
    json('POST', { question: 'Can I pay by invoice?', answer: 'Yes.', status: 'published' }),
  );
  const { id } = (await second.json()) as Faq;
  const etag = second.headers.get('etag')!;
  const response = await server.fetch(
    `/faqs/${id}`,
    json('PATCH', { question: 'can i pay by CARD?' }, { 'If-Match': etag }),
  );
  t.is(response.status, 409);
  const after = await server.fetch(`/faqs/${id}`);
  t.is(((await after.json()) as Faq).question, 'Can I pay by invoice?');
  t.is(after.headers.get('etag'), etag);
  t.is(((await (await server.fetch(`/faqs/${first.id}`)).json()) as Faq).question, 'Can I pay by card?');
});

test('creating the same question at once from many clients leaves exactly one FAQ, the others 409', async (t) => {
  const attempts = await Promise.all(
    Array.from({ length: 8 }, (_, n) =>
      server.fetch(
        '/faqs',
        json('POST', {
          question: `Is there a refund policy?${' '.repeat(n % 3)}`,
          answer: `Answer ${n}`,
          status: 'published',
        }),
      ),
    ),
  );
  const statuses = attempts.map((response) => response.status).sort();
  t.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
  t.deepEqual(await questions('refund'), ['Is there a refund policy?']);
});

test('a deleted FAQ frees its question for a new one', async (t) => {
  const created = await server.fetch(
    '/faqs',
    json('POST', { question: 'Do you ship abroad?', answer: 'No.', status: 'published' }),
  );
  const { id } = (await created.json()) as Faq;
  t.is(
    (await server.fetch(`/faqs/${id}`, { method: 'DELETE', headers: { 'If-Match': created.headers.get('etag')! } }))
      .status,
    204,
  );
  t.is(
    (
      await server.fetch(
        '/faqs',
        json('POST', { question: 'Do you ship abroad?', answer: 'Yes, now.', status: 'published' }),
      )
    ).status,
    201,
  );
  t.deepEqual(await questions('abroad'), ['Do you ship abroad?']);
});
