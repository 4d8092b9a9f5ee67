// A client that knows only `/`: it follows every link it finds (templates expanded with no values and with
// sample ones) and checks that every answer is valid HAL and every link resolves.
import test from 'ava';
import { type HalDocument, everyLink, expand, halViolations, hrefOf, pathOf, variablesOf } from './helpers/hal.ts';
import { type ImportBody, submitImport, untilFinished } from './helpers/imports.ts';
import { type Created, type FaqBody, type TicketBody, createFaq, createTicket, getJson, send } from './helpers/seed.ts';
import { json, type TestServer, startTestServer } from './helpers/server.ts';

let server: TestServer;
const seeded: {
  tickets: Record<string, Created<TicketBody>>;
  faqs: Record<string, Created<FaqBody>>;
  import?: ImportBody;
} = { tickets: {}, faqs: {} };

async function promote(ticket: Created<TicketBody>): Promise<string> {
  const { response } = await send(server, hrefOf(ticket.body, 'promote'), { method: 'POST' });
  return response.headers.get('location')!;
}

test.before(async () => {
  // Imports are polled for every 50 ms, so that the seeded one is done before the crawl starts.
  server = await startTestServer({ IMPORT_POLL_MS: '50' });
  const tickets = seeded.tickets;
  tickets.printer = await createTicket(server, {
    title: 'Printer jams on page two',
    tags: ['printer', 'hardware'],
    assignee: 'alice',
  });
  tickets.vpn = await createTicket(server, { title: 'VPN drops every hour', status: 'pending', priority: 'high' });
  tickets.closed = await createTicket(server, { title: 'Old printer request', status: 'closed' });
  tickets.duplicate = await createTicket(server, { title: 'Printer jams again' });
  const faqs = seeded.faqs;
  faqs.published = await createFaq(server, {
    question: 'How do I clear a printer jam?',
    answer: 'Open tray two.',
    status: 'published',
  });
  const vpnFaq = await promote(tickets.vpn);
  faqs.vpn = { body: (await getJson<FaqBody>(server, vpnFaq)).body, location: vpnFaq, etag: '' };
  // Promoted, then its ticket merged away: the FAQ's source link answers 301 to the survivor.
  const duplicateFaq = await promote(tickets.duplicate);
  await send(server, hrefOf(tickets.duplicate.body, 'merge'), json('POST', { into: tickets.printer.location }));
  faqs.merged = { body: (await getJson<FaqBody>(server, duplicateFaq)).body, location: duplicateFaq, etag: '' };
  const doomed = await createFaq(server, { question: 'Soon deleted printer question?' });
  faqs.related = await createFaq(server, {
    question: 'Why does my printer print blank pages?',
    source: tickets.printer.body.id,
    related: [faqs.published.body.id, vpnFaq, doomed.location],
  });
  await send(server, doomed.location, { method: 'DELETE' });
  // A bulk import with a row it refused: the crawl reaches the job, its tickets and the refused row's problem.
  const submitted = await submitImport(server.fetch, [
    { title: 'Imported printer ticket', requester: 'bulk@example.com' },
    { title: '' },
  ]);
  seeded.import = await untilFinished(server.fetch, submitted.location);
});
test.after.always(() => server.close());

/** Sample values for a template's variables, chosen by where the template points. */
function samples(href: string): Record<string, string | number> {
  const onTickets = pathOf(href).startsWith('/tickets');
  return {
    id: onTickets ? seeded.tickets.printer!.body.id : seeded.faqs.related!.body.id,
    page: 1,
    size: 2,
    status: onTickets ? 'open' : 'draft',
    q: 'printer',
    source: seeded.tickets.printer!.body.id,
    import: seeded.import!.id,
  };
}

/**
 * The concrete hrefs a client would make from a link: itself; or, for a template, the template filled with
 * every variable it names, plus (when every variable is optional) filled with none and with only a small size.
 */
function concreteHrefs(href: string): string[] {
  if (!href.includes('{')) return [href];
  const names = variablesOf(href);
  const sample = samples(href);
  const filled = [expand(href, Object.fromEntries(names.map((name) => [name, sample[name] ?? 'x'])))];
  if (/\{[^?&}][^}]*\}/.test(href)) return filled;
  return [...filled, expand(href, {}), ...(names.includes('size') ? [expand(href, { size: 1 })] : [])];
}

/** Relations that name actions: they take POST, so they resolve when OPTIONS allows it. */
const ACTIONS = new Set(['promote', 'merge']);

/** Every address an answer's headers give (Location, Content-Location, Link targets). */
function headerAddresses(response: Response): string[] {
  const link = [...(response.headers.get('link') ?? '').matchAll(/<([^>]*)>/g)].map((match) => match[1]!);
  return [response.headers.get('location'), response.headers.get('content-location'), ...link].filter(
    (a): a is string => a !== null,
  );
}

/** A link waiting to be followed, and where it was found. */
type Queued = { href: string; from: string; rel: string; type?: string };

/** What a crawl has still to follow, what it found wrong, and the status of every address it read. */
interface Crawl {
  origin: string;
  queue: Queued[];
  failures: string[];
  statuses: Map<string, number>;
}

/** An action's link: OPTIONS on it must succeed and allow the POST the action stands for. */
async function visitAction({ failures }: Crawl, { href, from, rel }: Queued): Promise<void> {
  const response = await server.fetch(href, { method: 'OPTIONS' });
  await response.arrayBuffer();
  if (response.status >= 300 || !(response.headers.get('allow') ?? '').includes('POST')) {
    failures.push(`${rel} ${href} (from ${from}): OPTIONS ${response.status}, Allow ${response.headers.get('allow')}`);
  }
}

/** Links that say they lead elsewhere than HAL (help pages, schemas) must resolve to what they say. */
async function visitTyped({ failures, statuses }: Crawl, { href, from, rel }: Queued, type: string): Promise<void> {
  const response = await server.fetch(href, { headers: { Accept: type } });
  await response.arrayBuffer();
  statuses.set(href, response.status);
  if (response.status !== 200 || !(response.headers.get('content-type') ?? '').startsWith(type)) {
    failures.push(
      `${rel} ${href} (from ${from}): ${response.status} ${response.headers.get('content-type')}, expected ${type}`,
    );
  }
}

/** A HAL resource: valid, every address on it absolute on the origin, and its links queued. */
async function visitHal({ origin, queue, failures, statuses }: Crawl, { href, from, rel }: Queued): Promise<void> {
  const response = await server.fetch(href);
  const text = await response.text();
  statuses.set(href, response.status);
  // Every address a client reads is absolute, on the origin it asked (HAL Explorer uses them as written).
  for (const address of headerAddresses(response)) {
    if (!address.startsWith(`${origin}/`)) failures.push(`${href}: header address ${address} is not on ${origin}`);
  }
  if (response.status === 301) {
    const location = response.headers.get('location') ?? '';
    if (!/^\/tickets\/\d+$/.test(pathOf(href)) || !/^\/tickets\/\d+$/.test(pathOf(location)))
      failures.push(`${href} (from ${from}): 301 to ${location}`);
    queue.push({ href: location, from: href, rel: 'location' });
    return;
  }
  if (response.status !== 200) {
    failures.push(`${rel} ${href} (from ${from}): ${response.status} ${text.slice(0, 200)}`);
    return;
  }
  if (response.headers.get('content-type') !== 'application/hal+json')
    failures.push(`${href}: content-type ${response.headers.get('content-type')}`);
  if (!response.headers.get('etag')) failures.push(`${href}: no ETag`);
  const document = JSON.parse(text) as HalDocument;
  failures.push(...halViolations(document).map((problem) => `${href}: ${problem}`));
  for (const target of Object.values(
    (document as { _templates?: Record<string, { target?: string }> })._templates ?? {},
  )) {
    if (!target.target?.startsWith(`${origin}/`))
      failures.push(`${href}: template target ${target.target} is not on ${origin}`);
  }
  for (const { rel: linkRel, link } of everyLink(document)) {
    if (!link.href.startsWith(`${origin}/`)) failures.push(`${href}: ${linkRel} href ${link.href} is not on ${origin}`);
    for (const concrete of concreteHrefs(link.href))
      queue.push({
        href: concrete,
        from: href,
        rel: linkRel,
        ...(typeof link.type === 'string' ? { type: link.type } : {}),
      });
  }
}

test('a crawl from / follows every link to valid HAL, and every link resolves', async (t) => {
  const origin = new URL(server.url).origin;
  const crawl: Crawl = {
    origin,
    queue: [{ href: `${origin}/`, from: '(start)', rel: 'start' }],
    failures: [],
    statuses: new Map(),
  };
  const { queue, failures, statuses } = crawl;
  const seen = new Set<string>();
  let followed = 0;

  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { href, rel, type } = next;
    const key = `${ACTIONS.has(rel) ? 'OPTIONS' : 'GET'} ${href}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (++followed > 500) return t.fail('more than 500 links: the crawl does not converge');
    if (ACTIONS.has(rel)) await visitAction(crawl, next);
    else if (type !== undefined && type !== 'application/hal+json') await visitTyped(crawl, next, type);
    else await visitHal(crawl, next);
  }

  t.deepEqual(failures, []);
  // The crawl must actually have reached every kind of resource, or it proves nothing.
  const reached = [...statuses.entries()].filter(([, status]) => status === 200).map(([href]) => pathOf(href));
  const { tickets, faqs } = seeded;
  for (const location of [
    tickets.printer!.location,
    tickets.vpn!.location,
    tickets.closed!.location,
    faqs.published!.location,
    faqs.vpn!.location,
    faqs.merged!.location,
    faqs.related!.location,
  ]) {
    t.true(reached.includes(pathOf(location)), `reached ${location}`);
  }
  const job = `/imports/${seeded.import!.id}`;
  for (const location of [job, `${job}/rejections/2`]) t.true(reached.includes(location), `reached ${location}`);
  for (const pattern of [
    /^\/$/,
    /^\/tickets\?.*page=2/,
    /^\/faqs\?.*source=\d+/,
    /^\/faqs\?.*status=draft/,
    /^\/search\?q=printer$/,
    /^\/search$/,
    /^\/tickets$/,
    /^\/faqs$/,
    /^\/tickets\?.*import=\d+/,
    /^\/imports$/,
  ]) {
    t.true(
      reached.some((href) => pattern.test(href)),
      `reached ${pattern}`,
    );
  }
  t.is(statuses.get(tickets.duplicate!.location), 301, 'the merged ticket was reached through its FAQ and redirected');
});

test('the seeded FAQs show source and related as the crawl saw them', async (t) => {
  const { body } = await getJson<FaqBody>(server, seeded.faqs.related!.location);
  t.is(body.source, seeded.tickets.printer!.location);
  t.deepEqual(
    body.related,
    [seeded.faqs.published!.location, seeded.faqs.vpn!.location],
    'the deleted FAQ dropped out',
  );
  t.deepEqual(halViolations(body), []);
});

test('the checker the crawl relies on flags each broken HAL promise', (t) => {
  const valid = {
    _links: {
      self: { href: 'http://127.0.0.1/faqs/1' },
      related: [],
      find: { href: 'https://desk.example:8443/faqs{?q}', templated: true },
    },
    _embedded: { faqs: [] },
  };
  t.deepEqual(halViolations(valid), []);
  // Each breaks one promise only: every other href is absolute, so each line proves its own check.
  const H = 'http://127.0.0.1:3000';
  const broken: [string, unknown][] = [
    ['no self', { _links: {} }],
    ['no _links', { id: 1 }],
    ['template without templated', { _links: { self: { href: `${H}/x` }, find: { href: `${H}/x{?q}` } } }],
    ['templated on a plain href', { _links: { self: { href: `${H}/x`, templated: true } } }],
    ['relative href', { _links: { self: { href: 'tickets/1' } } }],
    ['absolute path href', { _links: { self: { href: '/tickets/1' } } }],
    ['network-path href', { _links: { self: { href: '//127.0.0.1/tickets/1' } } }],
    ['related not an array', { _links: { self: { href: `${H}/x` }, related: { href: `${H}/faqs/2` } } }],
    ['FAQ without related', { _links: { self: { href: `${H}/faqs/3` } } }],
    [
      'embedded not an array',
      {
        _links: { self: { href: `${H}/x` } },
        _embedded: { tickets: { _links: { self: { href: `${H}/tickets/1` } } } },
      },
    ],
    ['embedded without self', { _links: { self: { href: `${H}/x` } }, _embedded: { tickets: [{ _links: {} }] } }],
    ['stray rel key', { _links: { self: { href: `${H}/x` }, item: [{ href: `${H}/a`, rel: 'item' }] } }],
  ];
  for (const [what, document] of broken) t.true(halViolations(document).length > 0, what);
});
