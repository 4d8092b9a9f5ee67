// One client-level specification, run against the single server and against the ticket and FAQ services as
// two processes (also with the FAQ service's routes moved under /kb): a client that starts at either root and
// follows links and templates only cannot tell them apart.
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { HOME_FRESH_MS } from '../../src/remote/faq-service.ts';
import { type HalDocument as HalDocumentForCrawl, everyLink as everyHalLink, halViolations } from '../helpers/hal.ts';
import { HAL_JSON, type Link, expand } from '../helpers/hypermedia.ts';
import { type SystemUnderTest, startSingleServer, startSplitSystem } from '../helpers/services.ts';
import { type Resource, Walker, items } from '../helpers/walker.ts';

const systems: Record<string, Promise<SystemUnderTest>> = {
  single: startSingleServer(),
  split: startSplitSystem(),
  moved: startSplitSystem({ faqBasePath: '/kb' }),
};
// A system that failed to start fails its own tests; the others still run.
for (const started of Object.values(systems)) started.catch(() => undefined);
test.after.always(async () => {
  await Promise.all(Object.values(systems).map(async (started) => (await started.catch(() => undefined))?.close()));
});

const unique = () => `Zq${randomBytes(5).toString('hex')}`;

/** Reports a ticket from the ticket root, through the collection's form. */
async function reportTicket(walker: Walker, system: SystemUnderTest, title: string): Promise<Resource> {
  const tickets = await walker.follow(await walker.get(system.roots.tickets), 'tickets');
  const created = await walker.submit(tickets, 'default', { title, requester: 'walker@customers.example' });
  if (created.status !== 201) throw new Error(`reporting a ticket: ${created.status} ${await created.text()}`);
  return walker.get(walker.location(created, tickets.url));
}

async function promote(walker: Walker, ticket: Resource): Promise<Response> {
  return walker.submit(ticket, 'promote');
}

for (const [key, started] of Object.entries(systems)) {
  const title = (name: string) => `${key}: ${name}`;

  test(
    title("a client starting at the ticket root promotes a ticket and follows the FAQ's source back to it"),
    async (t) => {
      const system = await started;
      const walker = new Walker(system.token);
      const words = `Printer ${unique()} catches fire`;
      const ticket = await reportTicket(walker, system, words);

      const created = await promote(walker, ticket);
      t.is(created.status, 201);
      const faqUrl = walker.location(created, ticket.url);
      t.true(faqUrl.startsWith(system.roots.faqs), `${faqUrl} is on the FAQ service`);
      const faq = await walker.get(faqUrl);
      t.is(faq.document.question, words);
      t.is(faq.document.status, 'draft');

      const source = await walker.follow(faq, 'source');
      t.is(source.url, ticket.url);
      t.is(source.document.id, ticket.document.id);

      const made = await walker.follow(await walker.get(ticket.url), 'faqs');
      t.deepEqual(
        items(made, 'faqs').map((item) => item.url),
        [faqUrl],
      );

      const again = await promote(walker, ticket);
      t.is(again.status, 303, 'a second promote finds the FAQ made by the first');
      t.is(walker.location(again, ticket.url), faqUrl);
    },
  );

  test(title('a client starting at the FAQ root finds a promoted FAQ and reaches its ticket'), async (t) => {
    const system = await started;
    const walker = new Walker(system.token);
    const word = unique();
    const ticket = await reportTicket(walker, system, `Cannot log in ${word}`);
    t.is((await promote(walker, ticket)).status, 201);

    const faqs = await walker.follow(await walker.get(system.roots.faqs), 'faqs', { q: word });
    const [faq] = items(faqs, 'faqs');
    t.is(faq?.document.question, `Cannot log in ${word}`);
    const source = await walker.follow(faq!, 'source');
    t.is(source.document.title, `Cannot log in ${word}`);
    t.is(source.url, ticket.url);
  });

  test(title('every link of either home document leads to a resource'), async (t) => {
    const system = await started;
    const walker = new Walker(system.token);
    for (const root of new Set([system.roots.tickets, system.roots.faqs])) {
      const home = await walker.get(root);
      for (const [rel, value] of Object.entries(home.document._links)) {
        for (const link of ([] as Link[]).concat(value)) {
          // A template with a path variable needs an id; the collections' query variables may stay unset.
          if (/\{[^?]/.test(link.href)) continue;
          const url = new URL(expand(link.href), root).href;
          const response = await walker.request(url, link.type ? { headers: { Accept: link.type } } : {});
          t.is(response.status, 200, `${rel} of ${root}: ${url}`);
          await response.arrayBuffer();
        }
      }
    }
    const reached = new Set<string>();
    for (const root of [system.roots.tickets, system.roots.faqs]) {
      for (const rel of Object.keys((await walker.get(root)).document._links)) reached.add(rel);
    }
    for (const rel of ['tickets', 'ticket', 'faqs', 'faq', 'search', 'tokens'])
      t.true(reached.has(rel), `${rel} is reachable from a root`);
  });

  test(title('a crawl from both roots reaches valid HAL at every link, across services'), async (t) => {
    const system = await started;
    const walker = new Walker(system.token);
    const ticket = await reportTicket(walker, system, `Crawled ${unique()}`);
    t.is((await promote(walker, ticket)).status, 201);
    const queue = [system.roots.tickets, system.roots.faqs].map((url) => ({ url, accept: HAL_JSON, from: '(root)' }));
    const seen = new Set<string>();
    const failures: string[] = [];
    const origins = new Set<string>();
    const serviceOrigins = new Set([system.roots.tickets, system.roots.faqs].map((root) => new URL(root).origin));
    // Enough to pass through homes, collections, items and their sources on both sides; a page of a big
    // collection adds no new kind of link.
    while (queue.length > 0 && seen.size < 120) {
      const { url, accept, from } = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const response = await walker.request(url, { headers: { Accept: accept } });
      if (response.status !== 200) {
        failures.push(`${url} (from ${from}): ${response.status}`);
        await response.arrayBuffer();
        continue;
      }
      origins.add(new URL(url).origin);
      if (accept !== HAL_JSON) {
        await response.arrayBuffer();
        continue;
      }
      const document = (await response.json()) as HalDocumentForCrawl;
      // Links within a service are absolute paths, as the single server's checker demands; links to the other
      // service are absolute URLs on purpose, and only those are let through here.
      const crossing = (violation: string) => {
        const href = / href (\S+) is not an absolute path$/.exec(violation)?.[1];
        const target = href === undefined ? undefined : URL.canParse(href) ? new URL(href).origin : undefined;
        return target !== undefined && target !== new URL(url).origin && serviceOrigins.has(target);
      };
      failures.push(...halViolations(document, url).filter((violation) => !crossing(violation)));
      for (const { rel, link } of everyHalLink(document)) {
        // Actions take POST; a template with a path variable needs a value the crawler does not invent.
        if (rel === 'promote' || rel === 'merge' || /\{[^?]/.test(link.href)) continue;
        queue.push({
          url: new URL(expand(link.href), url).href,
          accept: typeof link.type === 'string' ? link.type : HAL_JSON,
          from: url,
        });
      }
    }
    t.deepEqual(failures, []);
    t.deepEqual(origins, serviceOrigins, 'the crawl reached every service');
    t.true(seen.has(ticket.url), 'the crawl reached the promoted ticket');
  });

  test(title("the ticket service's home links to the FAQ service's collections"), async (t) => {
    const system = await started;
    const walker = new Walker(system.token);
    const home = await walker.get(system.roots.tickets);
    t.true(walker.href(home, 'faqs').startsWith(system.roots.faqs));
    t.true(walker.href(home, 'faq', { id: 1 }).startsWith(system.roots.faqs));
    t.is((await walker.follow(home, 'faqs')).document._links.self !== undefined, true);
  });

  test(title('each service answers /health, /ready and /metrics'), async (t) => {
    const system = await started;
    const walker = new Walker(system.token);
    for (const root of new Set([system.roots.tickets, system.roots.faqs])) {
      for (const probe of ['health', 'ready']) {
        const response = await fetch(new URL(probe, root));
        t.is(response.status, 200, `${probe} of ${root}`);
        t.is(((await response.json()) as { status: string }).status, 'pass');
      }
      const metrics = await walker.request(new URL('metrics', root).href, { headers: { Accept: 'text/plain' } });
      t.is(metrics.status, 200);
      t.regex(await metrics.text(), /http_requests_total/);
    }
  });

  test(
    title("a promoted FAQ lives with the FAQs, naming its ticket, and the tickets' database holds no FAQ of its own"),
    async (t) => {
      const system = await started;
      const walker = new Walker(system.token);
      const word = unique();
      const ticket = await reportTicket(walker, system, `Stored ${word}`);
      t.is((await promote(walker, ticket)).status, 201);
      const rows = await system.inspect.faqs((db) =>
        db
          .selectFrom('faqs')
          .select(['question', 'source_ticket_id', 'source_uri'])
          .where('question', '=', `Stored ${word}`)
          .execute(),
      );
      t.is(rows.length, 1);
      const split = system.roots.tickets !== system.roots.faqs;
      t.deepEqual(
        rows[0],
        split
          ? { question: `Stored ${word}`, source_ticket_id: null, source_uri: ticket.url }
          : { question: `Stored ${word}`, source_ticket_id: ticket.document.id as number, source_uri: null },
      );
      if (split)
        t.is(
          await system.inspect.tickets(async (db) => (await db.selectFrom('faqs').select('id').execute()).length),
          0,
        );
    },
  );
}

test('moved: the FAQ service answers only under its new prefix, and the ticket service never used the old paths', async (t) => {
  const system = (await systems.moved) as Awaited<ReturnType<typeof startSplitSystem>>;
  const walker = new Walker(system.token);
  t.is((await promote(walker, await reportTicket(walker, system, `Moved ${unique()}`))).status, 201);
  // Read before this test asks for the old paths itself.
  const seen = system.faqService.logs.filter((entry) => entry.msg === 'request').map((entry) => String(entry.url));
  t.true(seen.length > 0, 'the FAQ service logged the calls it answered');
  t.deepEqual(
    seen.filter((url) => !url.startsWith('/kb/')),
    [],
    'every call reached the moved routes',
  );
  const faqOrigin = new URL(system.roots.faqs).origin;
  for (const path of ['/', '/faqs', '/faqs/1']) {
    const response = await fetch(new URL(path, faqOrigin), { headers: { Authorization: `Bearer ${system.token}` } });
    t.is(response.status, 404, `${path} is not served once the routes moved`);
  }
});

test('split: the ticket service says which contract it speaks, and revalidates the home document it cached', async (t) => {
  const system = (await systems.split) as Awaited<ReturnType<typeof startSplitSystem>>;
  const walker = new Walker(system.token);
  const ticket = await reportTicket(walker, system, `Cached ${unique()}`);
  // The home document is kept fresh for a while (its ETag is asked about only after that): let it go stale.
  await new Promise((resolve) => setTimeout(resolve, HOME_FRESH_MS + 250));
  for (let i = 0; i < 3; i++) await walker.get(ticket.url);
  t.is((await promote(walker, ticket)).status, 201);
  const metrics = await (
    await walker.request(new URL('metrics', system.roots.faqs).href, { headers: { Accept: 'text/plain' } })
  ).text();
  t.regex(
    metrics,
    /helpdesk_contract_calls_total\{caller="helpdesk-tickets\/[^"]+ faq-contract\/2",contract="2"\} [1-9]/,
    'home reads, anonymous, by User-Agent',
  );
  t.regex(
    metrics,
    /helpdesk_contract_calls_total\{caller="ticket-service",contract="2"\} [1-9]/,
    'collection reads and writes, by the service token',
  );
  t.regex(
    metrics,
    /http_requests_total\{route="\/",method="GET",status="304",api_version="current"\} [1-9]/,
    'the cached home document is revalidated by its ETag',
  );
});
