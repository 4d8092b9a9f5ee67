import { randomUUID } from 'node:crypto';
import test from 'ava';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

const HAL = 'application/hal+json';
const FORMS = 'application/prs.hal-forms+json';
const JSON_TYPE = 'application/json';

async function newTicket(): Promise<string> {
  const response = await server.fetch(
    '/tickets',
    json('POST', { title: 'Variant ticket', requester: 'v@customers.example' }),
  );
  return response.headers.get('location')!;
}

test('each representation of one version has its own strong ETag, and If-Match accepts any of them', async (t) => {
  const self = await newTicket();
  const tags = new Map<string, string>();
  for (const type of [HAL, FORMS, JSON_TYPE]) {
    const response = await server.fetch(self, { headers: { Accept: type } });
    t.is(response.headers.get('content-type')?.split(';')[0], type);
    tags.set(type, response.headers.get('etag')!);
    t.false(tags.get(type)!.startsWith('W/'), 'strong');
  }
  t.is(new Set(tags.values()).size, 3);
  for (const tag of tags.values()) {
    const change = await server.fetch(self, json('PATCH', { priority: 'high' }, { 'If-Match': tag }));
    t.is(change.status, 200, tag);
    const stale = await server.fetch(self, json('PATCH', { priority: 'low' }, { 'If-Match': tag }));
    t.is(stale.status, 412, 'the version moved on');
    for (const type of tags.keys())
      tags.set(type, (await server.fetch(self, { headers: { Accept: type } })).headers.get('etag')!);
  }
});

test('a collection hashed for HAL and for plain JSON gets different tags', async (t) => {
  const hal = await server.fetch('/tickets', { headers: { Accept: HAL } });
  const plain = await server.fetch('/tickets', { headers: { Accept: JSON_TYPE } });
  t.not(hal.headers.get('etag'), plain.headers.get('etag'));
});

test('a conditional GET that also says Cache-Control: no-cache, as browsers do, still gets 304 when current', async (t) => {
  const self = await newTicket();
  const first = await server.fetch(self);
  const etag = first.headers.get('etag')!;
  const again = await server.fetch(self, { headers: { 'If-None-Match': etag, 'Cache-Control': 'no-cache' } });
  t.is(again.status, 304);
  t.is(again.headers.get('etag'), etag);
  const weak = await server.fetch(self, { headers: { 'If-None-Match': `W/${etag}` } });
  t.is(weak.status, 304, 'If-None-Match compares weakly');
  // A listing no other test here writes to, so that it stays current between the two requests.
  const quiet = `/tickets?q=${randomUUID().replaceAll('-', '')}`;
  const listing = await server.fetch(quiet);
  t.is(listing.status, 200);
  const unchanged = await server.fetch(quiet, {
    headers: { 'If-None-Match': listing.headers.get('etag')!, 'Cache-Control': 'no-cache' },
  });
  t.is(unchanged.status, 304);
});

test('publishing a published FAQ again changes nothing, not even its version', async (t) => {
  const created = await server.fetch(
    '/faqs',
    json('POST', { question: 'Published twice?', answer: 'Once is enough.' }),
  );
  const self = created.headers.get('location')!;
  const publish = (await server.fetch(self, { headers: { Accept: FORMS } }).then((r) => r.json())) as {
    _templates: Record<string, { target: string; method: string }>;
  };
  const target = publish._templates.publish!.target;
  const first = await server.fetch(target, { method: 'POST' });
  t.is(first.status, 200);
  const etag = first.headers.get('etag');
  const second = await server.fetch(target, { method: 'POST' });
  t.is(second.status, 200);
  t.is(second.headers.get('etag'), etag);
  t.is(((await second.json()) as { status: string }).status, 'published');
});

test('a field that matches none of its alternatives is named once, with what it may be', async (t) => {
  const response = await server.fetch('/faqs', json('POST', { question: 'Which source?', source: true }));
  t.is(response.status, 400);
  const problem = (await response.json()) as { errors: { pointer: string; detail: string }[] };
  const atSource = problem.errors.filter((e) => e.pointer === '#/source');
  t.is(atSource.length, 1);
  t.regex(atSource[0]!.detail, /integer.*or.*string.*or.*null/);
});

test('a whole FAQ published without an answer is refused by its schema, naming the answer', async (t) => {
  const response = await server.fetch(
    '/faqs',
    json('POST', { question: 'Published but unanswered?', status: 'published' }),
  );
  t.is(response.status, 400);
  const problem = (await response.json()) as { errors: { pointer: string }[] };
  t.deepEqual(
    problem.errors.map((e) => e.pointer),
    ['#/answer'],
  );
  const listed = (await (await server.fetch('/faqs?q=unanswered')).json()) as { page: { totalElements: number } };
  t.is(listed.page.totalElements, 0);
});
