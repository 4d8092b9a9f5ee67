import test from 'ava';
import { type HalDocument, everyLink, expand, HAL_FORMS, linkOf, parseLinkHeader } from '../../helpers/hypermedia.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

// Set explicitly, so the headers can be checked to the second: 2026-01-01T00:00:00Z is 1767225600 s after the epoch.
const DEPRECATED_AT = '2026-01-01T00:00:00Z';
const SUNSET = '2027-06-30T12:00:00Z';
const DEPRECATION_HEADER = '@1767225600';
const SUNSET_HEADER = 'Wed, 30 Jun 2027 12:00:00 GMT';

let server: TestServer;
let home: HalDocument;
let v1Home: HalDocument;
test.before(async () => {
  server = await startTestServer({ V1_DEPRECATED_AT: DEPRECATED_AT, V1_SUNSET: SUNSET });
  home = (await (await server.fetch('/')).json()) as HalDocument;
  v1Home = (await (await server.fetch('/v1/')).json()) as HalDocument;
});
test.after.always(() => server.close());

async function created(response: Response): Promise<HalDocument> {
  if (response.status !== 201) throw new Error(`expected 201, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as HalDocument;
}

let tickets = 0;
async function newTicket(): Promise<HalDocument> {
  const collection = expand(linkOf(home, 'tickets').href);
  return created(
    await server.fetch(collection, json('POST', { title: `Ticket ${++tickets}`, requester: 'v1@customers.example' })),
  );
}

/** How many FAQs the current contract lists (it counts every live FAQ, whichever contract wrote it). */
async function faqCount(): Promise<number> {
  const page = (await (await server.fetch(expand(linkOf(home, 'faqs').href, { size: 1 }))).json()) as {
    page: { totalElements: number };
  };
  return page.page.totalElements;
}

const currentFaq = (id: unknown) => expand(linkOf(home, 'faq').href, { id: String(id) });
const v1Faq = (id: unknown) => expand(linkOf(v1Home, 'faq').href, { id: String(id) });
const v1Faqs = (values: Record<string, string | number> = {}) => expand(linkOf(v1Home, 'faqs').href, values);

test('an FAQ written through v1 is read through the current contract, with related [] and source as a URI', async (t) => {
  const ticket = await newTicket();
  const response = await server.fetch(
    v1Faqs(),
    json('POST', { question: 'How do I reset my v1 password?', source: ticket.id }),
  );
  const written = await created(response);
  t.is(response.headers.get('location'), v1Faq(written.id));
  t.is(written.source, ticket.id);
  t.false('related' in written);

  const current = await server.fetch(currentFaq(written.id));
  t.is(current.status, 200);
  const faq = (await current.json()) as HalDocument;
  t.is(faq.question, 'How do I reset my v1 password?');
  t.deepEqual(faq.related, []);
  t.deepEqual(faq._links.related, []);
  t.is(faq.source, linkOf(ticket, 'self').href);
  t.is(linkOf(faq, 'source').href, linkOf(ticket, 'self').href);
});

test('an FAQ written through the current contract is read through v1 in the v1 shape', async (t) => {
  const ticket = await newTicket();
  const faqs = expand(linkOf(home, 'faqs').href);
  const other = await created(await server.fetch(faqs, json('POST', { question: 'Where are invoices kept?' })));
  const written = await created(
    await server.fetch(
      faqs,
      json('POST', {
        question: 'Can I pay by card?',
        answer: 'Yes.',
        source: linkOf(ticket, 'self').href,
        related: [other.id],
      }),
    ),
  );
  t.deepEqual(written.related, [linkOf(other, 'self').href]);

  const response = await server.fetch(v1Faq(written.id));
  t.is(response.status, 200);
  const faq = (await response.json()) as HalDocument;
  t.is(faq.question, 'Can I pay by card?');
  t.is(faq.answer, 'Yes.');
  t.is(faq.source, ticket.id, 'v1 names the source ticket by id');
  t.false('related' in faq);
  t.false('related' in faq._links);

  const withoutSource = (await (await server.fetch(v1Faq(other.id))).json()) as HalDocument;
  t.is(withoutSource.source, null);

  // And the v1 collection lists both, in the v1 shape.
  const listing = (await (await server.fetch(v1Faqs({ size: 100 }))).json()) as HalDocument;
  const listed = listing._embedded!.faqs!.filter((item) => item.id === written.id || item.id === other.id);
  t.is(listed.length, 2);
  for (const item of listed) t.false('related' in item);
});

test('the v1 home document links faqs and faq as templates inside /v1/, and every v1 link and target stays inside /v1/', async (t) => {
  const v1 = new URL('/v1/', server.url).href;
  t.is(linkOf(v1Home, 'self').href, v1);
  for (const rel of ['faqs', 'faq']) {
    const link = linkOf(v1Home, rel);
    t.true(link.templated, rel);
    t.true(link.href.startsWith(v1), link.href);
  }
  // Besides its own, the links to the one description of the whole API (RFC 8631), which covers v1 too.
  t.deepEqual(Object.keys(v1Home._links).sort(), ['faq', 'faqs', 'self', 'service-desc', 'service-doc']);

  const ticket = await newTicket();
  const faq = await created(
    await server.fetch(v1Faqs(), json('POST', { question: 'Is v1 still alive?', source: ticket.id })),
  );
  // Walk what a v1 client can reach: home, a page of the collection, an FAQ; as plain HAL and as HAL-FORMS.
  const seen: string[] = [];
  for (const path of ['/v1/', v1Faqs({ size: 1 }), v1Faq(faq.id)]) {
    for (const accept of ['application/hal+json', HAL_FORMS]) {
      const document = (await (await server.fetch(path, { headers: { Accept: accept } })).json()) as HalDocument;
      for (const [rel, link] of everyLink(document)) if (!rel.startsWith('service-')) seen.push(`${rel} ${link.href}`);
      for (const template of Object.values(document._templates ?? {}))
        if (template.target) seen.push(`target ${template.target}`);
      const options = Object.values(document._templates ?? {}).flatMap((template) =>
        template.properties.map((p) => p.options?.link?.href),
      );
      for (const href of options) if (href) seen.push(`options ${href}`);
    }
  }
  t.true(seen.length > 10);
  t.deepEqual(
    seen.filter((entry) => !entry.split(' ')[1]!.startsWith(v1)),
    [],
  );
  t.true(seen.includes(`target ${v1Faqs()}`), 'the v1 create form posts to the v1 collection');
});

// Serial: it compares the number of FAQs before and after, which the other tests in this file change.
test.serial(
  'a v1 create naming related is a 400 at #/related pointing to the current contract, and creates nothing',
  async (t) => {
    const faqs = expand(linkOf(home, 'faqs').href);
    const other = await created(await server.fetch(faqs, json('POST', { question: 'What is a related FAQ?' })));
    const before = await faqCount();

    const response = await server.fetch(
      v1Faqs(),
      json('POST', { question: 'Does v1 know related FAQs?', related: [other.id] }),
    );
    t.is(response.status, 400);
    t.is(response.headers.get('content-type'), 'application/problem+json');
    const problem = (await response.json()) as { detail: string; errors: { pointer: string }[] };
    t.deepEqual(
      problem.errors.map((e) => e.pointer),
      ['#/related'],
    );
    t.regex(problem.detail, /current contract/);
    t.true(problem.detail.includes('"faqs"'), 'the detail says which relation of / to follow instead');
    t.is(await faqCount(), before);
    const search = (await (await server.fetch(expand(linkOf(home, 'faqs').href, { q: 'v1 know related' }))).json()) as {
      page: { totalElements: number };
    };
    t.is(search.page.totalElements, 0);

    // A v1 change naming related is refused the same way, and changes nothing.
    const patched = await server.fetch(v1Faq(other.id), json('PATCH', { related: [] }));
    t.is(patched.status, 400);
    t.deepEqual(
      ((await patched.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer),
      ['#/related'],
    );
    const after = (await (await server.fetch(currentFaq(other.id))).json()) as HalDocument;
    t.is(after.updatedAt, other.updatedAt);
  },
);

interface Exchange {
  name: string;
  path: string;
  init?: RequestInit;
  status: number;
  successor: string;
}

/** One exchange of each kind v1 answers, success and failure, on the FAQ `faq` (tagged `tag`) and the FAQ `doomed`. */
// eslint-disable-next-line max-lines-per-function -- a table: one row per kind of v1 answer
function v1Exchanges(faqId: unknown, doomedId: unknown, tag: string): Exchange[] {
  return [
    { name: 'home', path: '/v1/', status: 200, successor: new URL('/', server.url).href },
    // max-age=0, or fetch would add `Cache-Control: no-cache` and the server would not answer 304.
    {
      name: 'not modified',
      path: v1Faq(faqId),
      init: { headers: { 'If-None-Match': tag, 'Cache-Control': 'max-age=0' } },
      status: 304,
      successor: currentFaq(faqId),
    },
    { name: 'collection', path: v1Faqs({ size: 2 }), status: 200, successor: expand(linkOf(home, 'faqs').href) },
    { name: 'FAQ', path: v1Faq(faqId), status: 200, successor: currentFaq(faqId) },
    {
      name: 'HAL-FORMS FAQ',
      path: v1Faq(faqId),
      init: { headers: { Accept: HAL_FORMS } },
      status: 200,
      successor: currentFaq(faqId),
    },
    // A create's successor is the FAQ it made, as the current contract names it.
    {
      name: 'create',
      path: v1Faqs(),
      init: json('POST', { question: 'Is this created through v1?' }),
      status: 201,
      successor: 'the created FAQ',
    },
    {
      name: 'change',
      path: v1Faq(faqId),
      init: json('PATCH', { answer: 'All of them.' }),
      status: 200,
      successor: currentFaq(faqId),
    },
    {
      name: 'delete',
      path: v1Faq(doomedId),
      init: { method: 'DELETE' },
      status: 204,
      successor: currentFaq(doomedId),
    },
    { name: 'deleted', path: v1Faq(doomedId), status: 410, successor: currentFaq(doomedId) },
    { name: 'missing FAQ', path: v1Faq(987654), status: 404, successor: currentFaq(987654) },
    {
      name: 'invalid body',
      path: v1Faqs(),
      init: json('POST', { question: '' }),
      status: 400,
      successor: expand(linkOf(home, 'faqs').href),
    },
    {
      name: 'not acceptable',
      path: v1Faq(faqId),
      init: { headers: { Accept: 'text/csv' } },
      status: 406,
      successor: currentFaq(faqId),
    },
    {
      name: 'method not allowed',
      path: v1Faq(faqId),
      init: json('PUT', { question: 'Replace?' }),
      status: 405,
      successor: currentFaq(faqId),
    },
    {
      name: 'unsupported body',
      path: v1Faqs(),
      init: { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'question' },
      status: 415,
      successor: expand(linkOf(home, 'faqs').href),
    },
    { name: 'unknown v1 address', path: '/v1/nothing-here', status: 404, successor: new URL('/', server.url).href },
  ];
}

test('every v1 answer, success or failure, carries Deprecation, Sunset and links to its successor and to the deprecation page', async (t) => {
  const ticket = await newTicket();
  const faq = await created(
    await server.fetch(v1Faqs(), json('POST', { question: 'Which answers are deprecated?', source: ticket.id })),
  );
  const doomed = await created(await server.fetch(v1Faqs(), json('POST', { question: 'Will this one be deleted?' })));
  const tag = (await server.fetch(v1Faq(faq.id))).headers.get('etag')!;
  const exchanges = v1Exchanges(faq.id, doomed.id, tag);
  const deprecationPages = new Set<string>();
  for (const exchange of exchanges) {
    const response = await server.fetch(exchange.path, exchange.init);
    await response.arrayBuffer();
    t.is(response.status, exchange.status, exchange.name);
    t.is(response.headers.get('deprecation'), DEPRECATION_HEADER, exchange.name);
    t.is(response.headers.get('sunset'), SUNSET_HEADER, exchange.name);
    const links = parseLinkHeader(response.headers.get('link'));
    const successor =
      exchange.successor === 'the created FAQ'
        ? currentFaq(Number(response.headers.get('location')!.split('/').pop()))
        : exchange.successor;
    t.deepEqual(
      links.filter((l) => l.rel === 'successor-version').map((l) => l.href),
      [successor],
      exchange.name,
    );
    const deprecation = links.filter((l) => l.rel === 'deprecation');
    t.is(deprecation.length, 1, exchange.name);
    deprecationPages.add(deprecation[0]!.href);
  }

  t.is(deprecationPages.size, 1);
  const page = await server.fetch([...deprecationPages][0]!, { headers: { Accept: 'text/html' } });
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(await page.text(), /v1/);

  // The successor of a v1 FAQ is the same FAQ in the current contract.
  const successor = await server.fetch(currentFaq(faq.id));
  t.is(successor.status, 200);
  t.is(((await successor.json()) as HalDocument).answer, 'All of them.');
});

test('answers of the current contract carry no deprecation headers', async (t) => {
  const ticket = await newTicket();
  const faqs = expand(linkOf(home, 'faqs').href);
  const faq = await created(
    await server.fetch(faqs, json('POST', { question: 'Is the current contract deprecated?' })),
  );
  const exchanges: [string, RequestInit | undefined][] = [
    ['/', undefined],
    [faqs, undefined],
    [currentFaq(faq.id), undefined],
    [currentFaq(faq.id), { headers: { Accept: HAL_FORMS } }],
    [linkOf(ticket, 'self').href, undefined],
    [faqs, json('POST', { question: 'Is this one deprecated either?' })],
    [currentFaq(987654), undefined],
    [faqs, json('POST', { question: '' })],
  ];
  for (const [path, init] of exchanges) {
    const response = await server.fetch(path, init);
    await response.arrayBuffer();
    t.true(response.status < 500, path);
    t.is(response.headers.get('deprecation'), null, path);
    t.is(response.headers.get('sunset'), null, path);
    const rels = parseLinkHeader(response.headers.get('link')).map((l) => l.rel);
    t.false(rels.includes('successor-version'), path);
    t.false(rels.includes('deprecation'), path);
  }
});

test('a change through v1 keeps what only the current contract knows (related), and deletion is seen by both', async (t) => {
  const faqs = expand(linkOf(home, 'faqs').href);
  const other = await created(await server.fetch(faqs, json('POST', { question: 'Which FAQ is related?' })));
  const faq = await created(
    await server.fetch(
      faqs,
      json('POST', { question: 'Does v1 keep related?', related: [linkOf(other, 'self').href] }),
    ),
  );

  const changed = await server.fetch(
    v1Faq(faq.id),
    json('PATCH', { answer: 'It does.' }, { 'Content-Type': 'application/merge-patch+json' }),
  );
  t.is(changed.status, 200);
  const current = (await (await server.fetch(currentFaq(faq.id))).json()) as HalDocument;
  t.is(current.answer, 'It does.');
  t.deepEqual(current.related, [linkOf(other, 'self').href]);

  t.is((await server.fetch(v1Faq(faq.id), { method: 'DELETE' })).status, 204);
  t.is((await server.fetch(currentFaq(faq.id))).status, 410);
  t.is((await server.fetch(currentFaq(other.id), { method: 'DELETE' })).status, 204);
  t.is((await server.fetch(v1Faq(other.id))).status, 410);
});

test('a v1 create naming its source by URI, as only the current contract may, is a 400 at #/source and creates nothing', async (t) => {
  const ticket = await newTicket();
  const question = 'Can v1 take a source URI?';
  const response = await server.fetch(v1Faqs(), json('POST', { question, source: linkOf(ticket, 'self').href }));
  t.is(response.status, 400);
  t.deepEqual(
    [...new Set(((await response.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer))],
    ['#/source'],
  );
  const found = (await (await server.fetch(expand(linkOf(home, 'faqs').href, { q: question }))).json()) as {
    page: { totalElements: number };
  };
  t.is(found.page.totalElements, 0);
});
