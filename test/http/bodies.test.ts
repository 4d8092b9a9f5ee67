// Request bodies of every bad kind get a 4xx problem naming what is wrong, and change nothing; good JSON of
// every JSON media type is accepted. Refusals are serial tests (ava runs them before the concurrent ones), so
// the counts taken around each one see no other writes.
import { gzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import { expectProblem, namedFields, type ProblemBody } from '../helpers/problem.ts';
import {
  type Created,
  type FaqBody,
  type TicketBody,
  counts,
  createFaq,
  createTicket,
  getJson,
  snapshot,
} from '../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../helpers/server.ts';

let server: TestServer;
let ticket: Created<TicketBody>;
let faq: Created<FaqBody>;
test.before(async () => {
  server = await startTestServer();
  ticket = await createTicket(server, { tags: ['kept'] });
  faq = await createFaq(server, { answer: 'Kept.' });
});
test.after.always(() => server.close());

const VALID_TICKET = { title: 'Valid', requester: 'valid@example.com' };

function raw(
  method: string,
  body: string | Uint8Array<ArrayBuffer>,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): RequestInit {
  return { method, headers: { 'Content-Type': contentType, ...headers }, body };
}

/** Sends a request that must be refused with `status`, and proves that nothing appeared and its target did not change. */
async function refused(t: ExecutionContext, path: string, init: RequestInit, status: number): Promise<ProblemBody> {
  const target = path.startsWith(ticket.location)
    ? ticket.location
    : path.startsWith(faq.location)
      ? faq.location
      : undefined;
  const state = async () => ({ counts: await counts(server), target: target && (await snapshot(server, target)) });
  const before = await state();
  const problem = await expectProblem(t, await server.fetch(path, init), status);
  t.deepEqual(await state(), before, `${init.method} ${path} changed something`);
  return problem;
}

/** Where a body can go: every write of both resources. */
const targets = () => [
  { method: 'POST', path: '/tickets' },
  { method: 'PUT', path: ticket.location },
  { method: 'PATCH', path: ticket.location },
  { method: 'POST', path: '/faqs' },
  { method: 'PUT', path: faq.location },
  { method: 'PATCH', path: faq.location },
  { method: 'POST', path: `${ticket.location}/merge` },
];

test.serial('malformed JSON is a 400 problem at every write, and changes nothing', async (t) => {
  const malformed = [
    '{',
    '{"title":}',
    "{'title':'x'}",
    '{"title":"x",}',
    '{"title":"x"} trailing',
    'nul',
    'NaN',
    '{"a":1}{"b":2}',
  ];
  for (const { method, path } of targets()) {
    for (const body of malformed) {
      const problem = await refused(t, path, raw(method, body), 400);
      t.regex(problem.detail, /JSON/, `${method} ${path} ${body}`);
    }
  }
});

test.serial('text holding a NUL character is a 400 naming the field at every write, and changes nothing', async (t) => {
  for (const { method, path } of targets()) {
    const problem = await refused(t, path, json(method, { title: 'before\u0000after' }), 400);
    t.deepEqual(namedFields(problem), ['#/title'], `${method} ${path}`);
    t.regex(problem.detail, /U\+0000/);
  }
  const nested = await refused(t, '/tickets', json('POST', { ...VALID_TICKET, tags: ['fine', 'not\u0000fine'] }), 400);
  t.deepEqual(namedFields(nested), ['#/tags/1']);
  // The place is a JSON pointer (RFC 6901): `~` and `/` in a name are escaped, at every level.
  const named = await refused(t, '/tickets', json('POST', { ...VALID_TICKET, 'a/b~c': { 'd~/': ['\u0000'] } }), 400);
  t.deepEqual(namedFields(named), ['#/a~1b~0c/d~0~1/0']);
});

test.serial(
  'text with an unpaired surrogate is a 400 naming the field at every write, never stored as U+FFFD',
  async (t) => {
    for (const { method, path } of targets()) {
      // Escaped in the JSON text, as a client would have to send it: JSON.stringify would write the same.
      const problem = await refused(t, path, raw(method, '{"title":"x\\ud800y","question":"x\\udfffy"}'), 400);
      t.true(
        namedFields(problem).includes('#/title') || namedFields(problem).includes('#/question'),
        `${method} ${path}`,
      );
      t.regex(problem.detail, /unpaired surrogate/);
    }
    // A whole pair is text like any other.
    const created = await server.fetch('/tickets', json('POST', { ...VALID_TICKET, title: 'Pair \ud83d\ude00 kept' }));
    t.is(created.status, 201);
    t.is(((await created.json()) as { title: string }).title, 'Pair \u{1F600} kept');
  },
);

test.serial(
  'a body nested past 32 levels is a 400 naming the place at every write, never a 500, and changes nothing',
  async (t) => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    for (const { method, path } of targets()) {
      // 32 levels in all pass the shape check (the schema then judges the body); 33 do not.
      const problem = await refused(t, path, raw(method, `{"title":"x","description":${deep(32)}}`), 400);
      t.deepEqual(namedFields(problem), [`#/description${'/0'.repeat(31)}`], `${method} ${path}`);
      t.regex(problem.detail, /at most 32 levels/);
      const schemaFault = await refused(t, path, raw(method, `{"title":"x","description":${deep(31)}}`), 400);
      t.notRegex(schemaFault.detail, /levels/, `${method} ${path}: 32 levels are the schema's to judge`);
    }
    // Far deeper than any stack: JSON.parse copes, and the walk that checks it is iterative.
    const hostile = await refused(t, '/tickets', raw('POST', `{"title":"x","description":${deep(40_000)}}`), 400);
    t.regex(hostile.detail, /at most 32 levels/);
  },
);

test.serial('a JSON body that is not an object is a 400 problem, and changes nothing', async (t) => {
  for (const { method, path } of targets()) {
    for (const body of ['"text"', '42', 'null', 'true', '[]', '[{"title":"x"}]']) {
      await refused(t, path, raw(method, body), 400);
    }
  }
});

test.serial('a write with no body is a 400 problem, and changes nothing', async (t) => {
  for (const { method, path } of targets()) {
    await refused(t, path, { method }, 400);
    await refused(t, path, raw(method, ''), 400);
  }
});

test.serial('wrong types are a 400 naming every field at fault, and change nothing', async (t) => {
  const ticketProblem = await refused(
    t,
    '/tickets',
    json('POST', {
      title: 5,
      requester: 'not-an-email',
      description: [],
      status: 'bogus',
      priority: 3,
      assignee: 7,
      tags: 7,
    }),
    400,
  );
  t.deepEqual(namedFields(ticketProblem), [
    '#/assignee',
    '#/description',
    '#/priority',
    '#/requester',
    '#/status',
    '#/tags',
    '#/title',
  ]);
  const tags = await refused(t, ticket.location, json('PATCH', { tags: [1, '', ' padded ', 'ok', 'ok'] }), 400);
  t.deepEqual(namedFields(tags), ['#/tags', '#/tags/0', '#/tags/1', '#/tags/2']);
  const faqProblem = await refused(
    t,
    '/faqs',
    json('POST', { question: ['q'], answer: 5, status: 'live', source: true, related: 'x' }),
    400,
  );
  t.deepEqual(namedFields(faqProblem), ['#/answer', '#/question', '#/related', '#/source', '#/status']);
  const related = await refused(t, faq.location, json('PATCH', { related: [1.5, null, {}] }), 400);
  t.deepEqual(namedFields(related), ['#/related/0', '#/related/1', '#/related/2']);
});

test.serial('strings past their limits are a 400 naming them, and change nothing', async (t) => {
  const tooLong = {
    title: 't'.repeat(201),
    description: 'd'.repeat(10_001),
    requester: `${'r'.repeat(250)}@example.com`,
    assignee: 'a'.repeat(201),
    tags: ['x'.repeat(51)],
  };
  const problem = await refused(t, '/tickets', json('POST', tooLong), 400);
  t.deepEqual(namedFields(problem), ['#/assignee', '#/description', '#/requester', '#/tags/0', '#/title']);
  const manyTags = await refused(
    t,
    ticket.location,
    json('PATCH', { tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }),
    400,
  );
  t.deepEqual(namedFields(manyTags), ['#/tags']);
  const faqProblem = await refused(
    t,
    faq.location,
    json('PUT', { question: 'q'.repeat(501), answer: 'a'.repeat(20_001) }),
    400,
  );
  t.deepEqual(namedFields(faqProblem), ['#/answer', '#/question']);
});

test.serial('empty and blank required strings are a 400 naming them, and change nothing', async (t) => {
  t.deepEqual(namedFields(await refused(t, '/tickets', json('POST', { ...VALID_TICKET, title: '' }), 400)), [
    '#/title',
  ]);
  t.deepEqual(namedFields(await refused(t, '/tickets', json('POST', { ...VALID_TICKET, title: ' \t\n ' }), 400)), [
    '#/title',
  ]);
  t.deepEqual(namedFields(await refused(t, '/faqs', json('POST', { question: '   ' }), 400)), ['#/question']);
  t.deepEqual(namedFields(await refused(t, faq.location, json('PATCH', { question: '' }), 400)), ['#/question']);
});

test.serial(
  'a huge string under the body limit is a 400 naming it, over the limit a 413; neither changes anything',
  async (t) => {
    const nearLimit = await refused(
      t,
      '/tickets',
      json('POST', { ...VALID_TICKET, description: 'x'.repeat(95_000) }),
      400,
    );
    t.deepEqual(namedFields(nearLimit), ['#/description']);
    for (const { method, path } of targets()) {
      const problem = await refused(t, path, json(method, { ...VALID_TICKET, description: 'x'.repeat(150_000) }), 413);
      t.regex(problem.detail, /100 kB/);
    }
    await refused(t, '/tickets', json('POST', { ...VALID_TICKET, description: 'x'.repeat(5_000_000) }), 413);
  },
);

test.serial('unknown fields are a 400 naming each, and change nothing', async (t) => {
  const extra = { colour: 'red', _links: {}, _embedded: {}, version: 3, deletedAt: null, mergedInto: 1 };
  const fields = ['#/_embedded', '#/_links', '#/colour', '#/deletedAt', '#/mergedInto', '#/version'];
  t.deepEqual(namedFields(await refused(t, '/tickets', json('POST', { ...VALID_TICKET, ...extra }), 400)), fields);
  t.deepEqual(namedFields(await refused(t, ticket.location, json('PATCH', extra), 400)), fields);
  t.deepEqual(namedFields(await refused(t, '/faqs', json('POST', { question: 'Unknown?', ...extra }), 400)), fields);
  t.deepEqual(namedFields(await refused(t, faq.location, json('PATCH', { colour: 'red' }), 400)), ['#/colour']);
  t.deepEqual(namedFields(await refused(t, '/tickets', json('POST', { ...VALID_TICKET, constructor: {} }), 400)), [
    '#/constructor',
  ]);
});

test.serial(
  'deeply nested values and numbers beyond safe integers are a 400 naming the place, and change nothing',
  async (t) => {
    // Named where the nesting passes 32 levels (the body itself is the first).
    const nested = `{"title":"x","requester":"a@example.com","tags":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    t.deepEqual(namedFields(await refused(t, '/tickets', raw('POST', nested), 400)), [`#/tags${'/0'.repeat(31)}`]);
    const deepObject = `{"question":"Deep?","answer":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    t.deepEqual(namedFields(await refused(t, '/faqs', raw('POST', deepObject), 400)), [`#/answer${'/a'.repeat(31)}`]);
    t.deepEqual(namedFields(await refused(t, '/faqs', raw('POST', '{"question":"Big?","source":1e308}'), 400)), [
      '#/source',
    ]);
    t.deepEqual(
      namedFields(await refused(t, '/faqs', raw('POST', '{"question":"Big?","related":[9007199254740993]}'), 400)),
      ['#/related/0'],
    );
    t.deepEqual(
      namedFields(await refused(t, `${ticket.location}/merge`, raw('POST', '{"into":"99999999999999999999"}'), 400)),
      ['#/into'],
    );
  },
);

test.serial('a __proto__ key is a 400, and changes nothing', async (t) => {
  await refused(
    t,
    '/tickets',
    raw('POST', '{"title":"x","requester":"a@example.com","__proto__":{"admin":true}}'),
    400,
  );
});

test.serial(
  'read-only fields id, createdAt and updatedAt are a 400 naming each at every write, and change nothing',
  async (t) => {
    const readOnly = { id: 99, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z' };
    const bodies: Record<string, object> = {
      '/tickets': { ...VALID_TICKET, ...readOnly },
      '/faqs': { question: 'Read-only?', ...readOnly },
    };
    for (const { method, path } of targets().filter((target) => !target.path.endsWith('/merge'))) {
      const base = new URL(path, server.url).pathname.startsWith('/tickets') ? bodies['/tickets']! : bodies['/faqs']!;
      const problem = await refused(t, path, json(method, base), 400);
      t.deepEqual(namedFields(problem), ['#/createdAt', '#/id', '#/updatedAt'], `${method} ${path}`);
      t.true(problem.errors!.every((e) => /read-only/.test(e.detail)));
    }
    for (const field of Object.keys(readOnly)) {
      const problem = await refused(
        t,
        ticket.location,
        json('PATCH', { [field]: (readOnly as Record<string, unknown>)[field] }),
        400,
      );
      t.deepEqual(namedFields(problem), [`#/${field}`]);
    }
  },
);

test.serial('a body that is not JSON is a 415 at every write, and changes nothing', async (t) => {
  const notJson: [string, string][] = [
    ['text/plain', JSON.stringify(VALID_TICKET)],
    ['application/x-www-form-urlencoded', 'title=Form&requester=form%40example.com'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nForm\r\n--x--\r\n'],
    ['application/xml', '<ticket><title>XML</title></ticket>'],
    ['text/csv', 'title,requester\nCSV,csv@example.com'],
  ];
  for (const { method, path } of targets()) {
    for (const [contentType, body] of notJson) {
      const problem = await refused(t, path, raw(method, body, contentType), 415);
      t.true(problem.detail.includes(contentType.split(';')[0]!), problem.detail);
    }
    await refused(t, path, { method, body: new Blob([JSON.stringify(VALID_TICKET)]) }, 415);
  }
});

test.serial('a body that is not what its Content-Encoding says is a 400, and changes nothing', async (t) => {
  for (const encoding of ['gzip', 'deflate', 'br']) {
    const problem = await refused(
      t,
      '/tickets',
      raw('POST', JSON.stringify(VALID_TICKET), 'application/json', { 'Content-Encoding': encoding }),
      400,
    );
    t.regex(problem.detail, new RegExp(encoding));
  }
  await refused(
    t,
    '/tickets',
    raw('POST', JSON.stringify(VALID_TICKET), 'application/json', { 'Content-Encoding': 'compress-me' }),
    415,
  );
});

test.serial('a gzipped JSON body is read', async (t) => {
  const before = await counts(server);
  const body = new Uint8Array(gzipSync(JSON.stringify({ ...VALID_TICKET, title: 'Zipped' })));
  const { status, body: created } = await getJson<TicketBody>(
    server,
    '/tickets',
    raw('POST', body, 'application/json', { 'Content-Encoding': 'gzip' }),
  );
  t.is(status, 201);
  t.is(created.title, 'Zipped');
  t.is((await counts(server)).tickets, before.tickets + 1);
});

test('application/hal+json bodies are accepted for POST, PUT and PATCH', async (t) => {
  const created = await getJson<TicketBody>(
    server,
    '/tickets',
    raw('POST', JSON.stringify(VALID_TICKET), 'application/hal+json'),
  );
  t.is(created.status, 201);
  const location = created.response.headers.get('location')!;
  const put = await getJson<TicketBody>(
    server,
    location,
    raw('PUT', JSON.stringify({ ...VALID_TICKET, priority: 'high' }), 'application/hal+json'),
  );
  t.is(put.status, 200);
  t.is(put.body.priority, 'high');
  const patched = await getJson<TicketBody>(
    server,
    location,
    raw('PATCH', '{"priority":"low"}', 'application/hal+json'),
  );
  t.is(patched.status, 200);
  t.is(patched.body.priority, 'low');
  const faqCreated = await getJson<FaqBody>(
    server,
    '/faqs',
    raw('POST', JSON.stringify({ question: 'HAL body?' }), 'application/hal+json'),
  );
  t.is(faqCreated.status, 201);
});

test('application/json with a charset parameter is accepted', async (t) => {
  const { status } = await getJson(
    server,
    '/tickets',
    raw('POST', JSON.stringify(VALID_TICKET), 'application/json; charset=utf-8'),
  );
  t.is(status, 201);
});

test('SQL-looking and non-ASCII text is stored and returned exactly as sent', async (t) => {
  const texts = {
    title: '\'; DROP TABLE tickets; -- " OR 1=1',
    description: 'Ünïcödé 😀👩‍💻 עברית العربية 日本語 Привет e\u0301 zero\u200bwidth \u0001control \\ backslash %s %d',
    assignee: 'Zoë Ødegård',
    tags: ['日本', 'émoji 🎉', "O'Brien"],
  };
  const { body, location } = await createTicket(server, texts);
  t.like(body, texts);
  const read = await getJson<TicketBody>(server, location);
  t.like(read.body, texts);
  t.is(read.body._links.self && (read.body._links.self as { title: string }).title, texts.title);
  const question = `Qu'est-ce que « ça » ? ${Date.now()} 🤔`;
  const answer = 'Robert"); DROP TABLE faqs;-- 😅';
  const created = await createFaq(server, { question, answer });
  t.like((await getJson<FaqBody>(server, created.location)).body, { question, answer });
  t.is((await getJson(server, '/tickets')).status, 200, 'the tickets table is still there');
});

test('a GET with a JSON Content-Type (as Traverson sends) is answered normally', async (t) => {
  for (const path of ['/', '/tickets', ticket.location, '/faqs', faq.location, '/search?q=x']) {
    const response = await server.fetch(path, { headers: { 'Content-Type': 'application/hal+json' } });
    t.is(response.status, 200, path);
    await response.arrayBuffer();
  }
});
