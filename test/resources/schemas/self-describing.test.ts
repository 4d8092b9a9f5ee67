import test from 'ava';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { type HalDocument, expand, HAL_FORMS, linkOf, parseLinkHeader } from '../../helpers/hypermedia.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

const SCHEMA_JSON = 'application/schema+json';

let server: TestServer;
let home: HalDocument;
test.before(async () => {
  server = await startTestServer();
  home = (await (await server.fetch('/')).json()) as HalDocument;
});
test.after.always(() => server.close());

// A client's own validator, not the server's: it reads the schemas as any JSON Schema tool would.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
/** Each schema's validator, as a promise: tests running at once that ask for the same schema share one compile (Ajv refuses a second schema with the same $id). */
const validators = new Map<string, Promise<ValidateFunction>>();

/** Fetches a published schema once, checks how it is served, and compiles it. */
function schemaAt(t: { is: (a: unknown, b: unknown, m?: string) => void }, path: string): Promise<ValidateFunction> {
  // Named by an href (absolute) or by its path: either way the schema's own, absolute URI.
  const href = new URL(path, server.url).href;
  let validator = validators.get(href);
  if (!validator) validators.set(href, (validator = compiledSchema(t, href)));
  return validator;
}

async function compiledSchema(
  t: { is: (a: unknown, b: unknown, m?: string) => void },
  href: string,
): Promise<ValidateFunction> {
  const response = await server.fetch(href);
  t.is(response.status, 200, href);
  t.is(response.headers.get('content-type'), SCHEMA_JSON, href);
  const schema = (await response.json()) as { $id?: string; $schema?: string };
  t.is(schema.$id, href, 'a published schema names itself');
  return ajv.compile(schema);
}

const ticketsHref = (values: Record<string, string | number> = {}) => expand(linkOf(home, 'tickets').href, values);
const faqsHref = (values: Record<string, string | number> = {}) => expand(linkOf(home, 'faqs').href, values);

async function create(collection: string, body: object): Promise<HalDocument> {
  const response = await server.fetch(collection, json('POST', body));
  if (response.status !== 201) throw new Error(`POST ${collection}: ${response.status} ${await response.text()}`);
  return (await response.json()) as HalDocument;
}

async function totalOf(collection: string): Promise<number> {
  return ((await (await server.fetch(collection)).json()) as { page: { totalElements: number } }).page.totalElements;
}

test('tickets and FAQs, alone and in collections, link the JSON Schema that their own answers satisfy', async (t) => {
  const ticket = await create(ticketsHref(), {
    title: 'Schema ticket',
    requester: 'schema@customers.example',
    assignee: 'sam',
    tags: ['billing', 'vip'],
  });
  const other = await create(faqsHref(), { question: 'Is this a schema question?' });
  const faq = await create(faqsHref(), {
    question: 'Does the schema hold?',
    answer: 'It does.',
    source: linkOf(ticket, 'self').href,
    related: [linkOf(other, 'self').href],
  });

  for (const [path, embedded] of [
    [linkOf(ticket, 'self').href, undefined],
    [linkOf(faq, 'self').href, undefined],
    [linkOf(other, 'self').href, undefined],
    [ticketsHref(), 'tickets'],
    [faqsHref(), 'faqs'],
  ] as const) {
    for (const accept of ['application/hal+json', HAL_FORMS]) {
      const response = await server.fetch(path, { headers: { Accept: accept } });
      t.is(response.status, 200, path);
      const document = (await response.json()) as HalDocument;
      const describedBy = linkOf(document, 'describedby');
      t.is(describedBy.type, SCHEMA_JSON, path);
      const header = parseLinkHeader(response.headers.get('link')).filter((link) => link.rel === 'describedby');
      t.deepEqual(header, [{ href: describedBy.href, rel: 'describedby', type: SCHEMA_JSON }], path);

      const validate = await schemaAt(t, describedBy.href);
      const instances = embedded ? document._embedded![embedded]! : [document];
      t.true(instances.length > 0, path);
      for (const instance of instances)
        t.true(validate(instance), `${path} (${accept}): ${ajv.errorsText(validate.errors)}`);
    }
  }

  // The schemas are not vacuous: answers bent out of shape fail them.
  const ticketSchema = await schemaAt(t, linkOf(ticket, 'describedby').href);
  t.false(ticketSchema({ ...ticket, status: 'lost' }));
  t.false(ticketSchema({ ...ticket, requester: 'not an email' }));
  const faqSchema = await schemaAt(t, linkOf(faq, 'describedby').href);
  const { related: _related, ...withoutRelated } = faq;
  t.false(faqSchema(withoutRelated));
  t.false(faqSchema({ ...faq, source: 7 }));
});

test('v1 FAQs, alone and listed, satisfy the published v1 FAQ schema, which differs from the current one', async (t) => {
  const ticket = await create(ticketsHref(), { title: 'Schema v1 ticket', requester: 'schema@customers.example' });
  const written = await server.fetch(
    '/v1/faqs',
    json('POST', { question: 'Does v1 have a schema?', source: ticket.id }),
  );
  t.is(written.status, 201);
  const faq = (await written.json()) as HalDocument;
  // v1 answers link only inside /v1/, so the v1 schema is found by its published name.
  const v1Schema = await schemaAt(t, '/schemas/v1-faq');
  t.true(v1Schema(faq), ajv.errorsText(v1Schema.errors));
  const listing = (await (await server.fetch('/v1/faqs?size=100')).json()) as HalDocument;
  t.true(listing._embedded!.faqs!.length > 0);
  for (const item of listing._embedded!.faqs!) t.true(v1Schema(item), ajv.errorsText(v1Schema.errors));

  const currentSchema = await schemaAt(
    t,
    linkOf((await (await server.fetch(faqsHref())).json()) as HalDocument, 'describedby').href,
  );
  t.false(currentSchema(faq), 'a v1 FAQ is not a current FAQ: source is an id and related is missing');
});

interface Case {
  body: Record<string, unknown>;
  valid: boolean;
  /** The pointer the server must name when it refuses the body. */
  at?: string;
}

const TICKET_CASES: Case[] = [
  { body: { title: 'Minimal', requester: 'ok@customers.example' }, valid: true },
  {
    body: {
      title: 'Everything',
      requester: 'ok@customers.example',
      description: 'All of it.',
      status: 'pending',
      priority: 'urgent',
      assignee: 'kim',
      tags: ['a', 'b'],
    },
    valid: true,
  },
  { body: { title: 'Unassigned', requester: 'ok@customers.example', assignee: null, tags: [] }, valid: true },
  { body: { title: 'No requester' }, valid: false, at: '#/requester' },
  { body: { title: '   ', requester: 'ok@customers.example' }, valid: false, at: '#/title' },
  { body: { title: 'Bad email', requester: 'not-an-email' }, valid: false, at: '#/requester' },
  {
    body: { title: 'Bad priority', requester: 'ok@customers.example', priority: 'whenever' },
    valid: false,
    at: '#/priority',
  },
  { body: { title: 'Extra field', requester: 'ok@customers.example', colour: 'red' }, valid: false, at: '#/colour' },
  { body: { title: 'Repeated tags', requester: 'ok@customers.example', tags: ['a', 'a'] }, valid: false, at: '#/tags' },
  { body: { title: 'Padded tag', requester: 'ok@customers.example', tags: [' a'] }, valid: false, at: '#/tags/0' },
  { body: { title: 'x'.repeat(201), requester: 'ok@customers.example' }, valid: false, at: '#/title' },
];

const FAQ_CASES: Case[] = [
  { body: { question: 'Minimal schema question?' }, valid: true },
  { body: { question: 'Published schema question?', answer: 'Yes.', status: 'published', related: [] }, valid: true },
  { body: { question: '' }, valid: false, at: '#/question' },
  { body: {}, valid: false, at: '#/question' },
  { body: { question: 'Archived?', status: 'archived' }, valid: false, at: '#/status' },
  { body: { question: 'Related as text?', related: 'all of them' }, valid: false, at: '#/related' },
  { body: { question: 'Extra?', id: 5 }, valid: false, at: '#/id' },
];

// Serial: it compares collection totals before and after, which the other tests change.
test.serial(
  'bodies valid per the published create schemas are accepted; bodies invalid per them are 400 naming the field and create nothing',
  async (t) => {
    for (const [schemaHref, collection, cases] of [
      ['/schemas/ticket-create', ticketsHref(), TICKET_CASES],
      ['/schemas/faq-create', faqsHref(), FAQ_CASES],
    ] as const) {
      const validate = await schemaAt(t, schemaHref);
      for (const { body, valid, at } of cases) {
        const label = `${collection} ${JSON.stringify(body).slice(0, 80)}`;
        t.is(validate(body), valid, `the schema's own verdict: ${label}`);
        const before = await totalOf(collection);
        const response = await server.fetch(collection, json('POST', body));
        if (valid) {
          t.is(response.status, 201, label);
          t.is(await totalOf(collection), before + 1, label);
        } else {
          t.is(response.status, 400, label);
          const problem = (await response.json()) as { errors?: { pointer?: string }[] };
          t.true(
            (problem.errors ?? []).some((e) => e.pointer === at),
            `${label}: ${JSON.stringify(problem.errors)}`,
          );
          t.is(await totalOf(collection), before, label);
        }
      }
    }
  },
);

test('a change valid per the published patch schema is accepted; one invalid per it is 400 and changes nothing', async (t) => {
  const ticket = await create(ticketsHref(), { title: 'Patch schema ticket', requester: 'schema@customers.example' });
  const validate = await schemaAt(t, '/schemas/ticket-patch');
  const self = linkOf(ticket, 'self').href;
  t.true(validate({ priority: 'high' }));
  t.is((await server.fetch(self, json('PATCH', { priority: 'high' }))).status, 200);
  for (const [body, at] of [
    [{ priority: 'whenever' }, '#/priority'],
    [{ requester: 'nobody' }, '#/requester'],
    [{ title: null }, '#/title'],
  ] as const) {
    t.false(validate(body), JSON.stringify(body));
    const refused = await server.fetch(self, json('PATCH', body));
    t.is(refused.status, 400, JSON.stringify(body));
    t.true(((await refused.json()) as { errors: { pointer: string }[] }).errors.some((e) => e.pointer === at));
  }
  const after = (await (await server.fetch(self)).json()) as HalDocument;
  t.is(after.priority, 'high');
  t.is(after.requester, 'schema@customers.example');
  t.is(after.title, 'Patch schema ticket');
});

test('collections repeat self, first, prev, next and last in a Link header that matches _links, page by page', async (t) => {
  for (let n = 1; n <= 5; n++)
    await create(ticketsHref(), { title: `Zebra crossing ${n}`, requester: 'pager@customers.example' });
  const NAVIGATION = ['self', 'first', 'prev', 'next', 'last'];
  let path: string | undefined = ticketsHref({ q: 'zebra', size: 2 });
  const pages: number[] = [];
  while (path !== undefined && pages.length < 5) {
    const response = await server.fetch(path);
    t.is(response.status, 200);
    const page = (await response.json()) as HalDocument & { page: { number: number; totalPages: number } };
    pages.push(page.page.number);
    const fromHeader = parseLinkHeader(response.headers.get('link')).filter((link) => NAVIGATION.includes(link.rel));
    const fromBody = NAVIGATION.filter((rel) => page._links[rel]).map((rel) => ({ href: linkOf(page, rel).href, rel }));
    t.deepEqual(fromHeader, fromBody, path);
    t.is('prev' in page._links, page.page.number > 1, path);
    t.is('next' in page._links, page.page.number < page.page.totalPages, path);
    for (const rel of ['self', 'first', 'last']) t.truthy(page._links[rel], `${path} has ${rel}`);
    path = page._links.next ? linkOf(page, 'next').href : undefined;
  }
  t.deepEqual(pages, [1, 2, 3]);

  // One page of FAQs: self, first and last only, the same in header and body.
  await create(faqsHref(), { question: 'Is a single page still linked?' });
  const single = await server.fetch(faqsHref({ q: 'single page linked' }));
  const rels = parseLinkHeader(single.headers.get('link')).map((link) => link.rel);
  t.deepEqual(
    rels.filter((rel) => NAVIGATION.includes(rel)),
    ['self', 'first', 'last'],
  );
});

const MINIMAL = { Prefer: 'return=minimal' };
const REPRESENTATION = { Prefer: 'return=representation' };

test('Prefer: return=minimal on a create answers 201 with Location, an empty body and Preference-Applied', async (t) => {
  for (const [collection, body] of [
    [ticketsHref(), { title: 'Minimal create', requester: 'prefer@customers.example' }],
    [faqsHref(), { question: 'Is a minimal create created?' }],
    ['/v1/faqs', { question: 'Is a minimal v1 create created?' }],
  ] as const) {
    const response = await server.fetch(collection, json('POST', body, MINIMAL));
    t.is(response.status, 201, collection);
    t.is(response.headers.get('preference-applied'), 'return=minimal');
    t.is(await response.text(), '');
    const location = response.headers.get('location');
    t.truthy(location);
    const created = await server.fetch(location!);
    t.is(created.status, 200);
    const document = (await created.json()) as HalDocument;
    for (const [name, value] of Object.entries(body)) t.is(document[name], value);
  }
});

test('Prefer: return=minimal on PATCH, PUT and actions answers 204 with Preference-Applied, and the change is made', async (t) => {
  const ticket = await create(ticketsHref(), { title: 'Minimal change', requester: 'prefer@customers.example' });
  const self = linkOf(ticket, 'self').href;
  const patched = await server.fetch(self, json('PATCH', { priority: 'urgent' }, MINIMAL));
  t.is(patched.status, 204);
  t.is(patched.headers.get('preference-applied'), 'return=minimal');
  t.is(await patched.text(), '');
  t.is(((await (await server.fetch(self)).json()) as HalDocument).priority, 'urgent');

  const replaced = await server.fetch(
    self,
    json('PUT', { title: 'Minimal replace', requester: 'prefer@customers.example' }, MINIMAL),
  );
  t.is(replaced.status, 204);
  t.is(replaced.headers.get('preference-applied'), 'return=minimal');
  t.is(await replaced.text(), '');
  const after = (await (await server.fetch(self)).json()) as HalDocument;
  t.is(after.title, 'Minimal replace');
  t.is(after.priority, 'normal', 'PUT replaced the whole ticket');

  const faq = await create(faqsHref(), { question: 'Is a minimal publish published?', answer: 'Yes.' });
  const publish = (await (
    await server.fetch(linkOf(faq, 'self').href, { headers: { Accept: HAL_FORMS } })
  ).json()) as HalDocument;
  const published = await server.fetch(publish._templates!.publish!.target!, { method: 'POST', headers: MINIMAL });
  t.is(published.status, 204);
  t.is(published.headers.get('preference-applied'), 'return=minimal');
  t.is(((await (await server.fetch(linkOf(faq, 'self').href)).json()) as HalDocument).status, 'published');
});

test('Prefer: return=representation answers with the body and Preference-Applied; without Prefer the body comes and nothing is applied', async (t) => {
  for (const [headers, applied] of [
    [REPRESENTATION, 'return=representation'],
    [{}, null],
  ] as const) {
    const posted = await server.fetch(
      ticketsHref(),
      json('POST', { title: 'Represented', requester: 'prefer@customers.example' }, headers),
    );
    t.is(posted.status, 201);
    t.is(posted.headers.get('preference-applied'), applied);
    const ticket = (await posted.json()) as HalDocument;
    t.is(ticket.title, 'Represented');
    t.is(posted.headers.get('location'), linkOf(ticket, 'self').href);
    const self = linkOf(ticket, 'self').href;

    const patched = await server.fetch(self, json('PATCH', { priority: 'low' }, headers));
    t.is(patched.status, 200);
    t.is(patched.headers.get('preference-applied'), applied);
    t.is(((await patched.json()) as HalDocument).priority, 'low');

    const replaced = await server.fetch(
      self,
      json('PUT', { title: 'Represented again', requester: 'prefer@customers.example' }, headers),
    );
    t.is(replaced.status, 200);
    t.is(replaced.headers.get('preference-applied'), applied);
    t.is(((await replaced.json()) as HalDocument).title, 'Represented again');
  }
});

test('a refused write answers with its problem whatever Prefer says, and changes nothing', async (t) => {
  const ticket = await create(ticketsHref(), {
    title: 'Refused with a preference',
    requester: 'prefer@customers.example',
  });
  const self = linkOf(ticket, 'self').href;
  for (const headers of [MINIMAL, REPRESENTATION]) {
    const refused = await server.fetch(self, json('PATCH', { priority: 'whenever' }, headers));
    t.is(refused.status, 400);
    t.is(refused.headers.get('content-type'), 'application/problem+json');
    t.is(refused.headers.get('preference-applied'), null);
    t.is(((await refused.json()) as { status: number }).status, 400);
  }
  t.is(((await (await server.fetch(self)).json()) as HalDocument).priority, 'normal');
});
