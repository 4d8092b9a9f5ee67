// How the ticket service keeps the FAQ service's home document, where its `faqs` links come from: fresh for a
// short while, so a burst of ticket reads asks the FAQ service once; and while the FAQ service is unreachable,
// the last one known, so tickets keep their `faqs` link, though readiness and promote still say it is down.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { HOME_FRESH_MS } from '../../src/remote/faq-service.ts';
import { type SplitSystem, metric, report, startSplitSystem } from '../helpers/services.ts';
import { Walker } from '../helpers/walker.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STALE_ANSWERS = 'helpdesk_faq_service_stale_answers_total';
const FAILED_GETS = ['unavailable', 'skipped'].map(
  (outcome) => `helpdesk_faq_service_calls_total{method="GET",outcome="${outcome}"}`,
);

/** GETs from the ticket service to the FAQ service that ended in no answer or were skipped by the open circuit. */
async function failedGets(walker: Walker, root: string): Promise<number> {
  const counts = await Promise.all(FAILED_GETS.map((series) => metric(walker, root, series)));
  return counts.reduce<number>((sum, count) => sum + (count ?? 0), 0);
}

/** The FAQ service's request log lines for its home document, once every request made so far has been logged. */
async function homeRequests(system: SplitSystem): Promise<Record<string, unknown>[]> {
  // Log lines come in the order requests end: once a marker request is logged, every earlier one is.
  const marker = randomUUID();
  await fetch(new URL('health', system.roots.faqs), { headers: { 'X-Request-Id': marker } });
  await system.faqService.logged((entry) => entry.requestId === marker);
  const home = new URL(system.roots.faqs).pathname;
  return system.faqService.logs.filter(
    (entry) => entry.msg === 'request' && entry.method === 'GET' && entry.url === home,
  );
}

test.serial(
  'while the FAQ service is down, tickets keep the faqs link of its last home document, unchanged; ready and promote still say it is down',
  async (t) => {
    const system = await startSplitSystem();
    try {
      const walker = new Walker(system.token);
      const root = system.roots.tickets;
      const ticket = await report(walker, root, 'Read through the outage');
      const before = await walker.request(ticket.url);
      const link = ((await before.json()) as typeof ticket.document)._links.faqs;
      t.truthy(link);
      const homeLinks = (await walker.get(root)).document._links;
      t.truthy(homeLinks.faqs);

      await system.stopFaqService();
      await sleep(HOME_FRESH_MS + 250); // the kept home document is no longer fresh: the next read asks for it
      const failedBefore = await failedGets(walker, root);
      const staleBefore = (await metric(walker, root, STALE_ANSWERS)) ?? 0;
      const during = await walker.request(ticket.url);
      t.is(during.status, 200);
      t.deepEqual(((await during.json()) as typeof ticket.document)._links.faqs, link, 'the same faqs link');
      t.is(during.headers.get('ETag'), before.headers.get('ETag'), 'so the same ticket, for clients’ caches too');
      t.true((await failedGets(walker, root)) > failedBefore, 'the FAQ service was asked, and did not answer');
      t.true(((await metric(walker, root, STALE_ANSWERS)) ?? 0) > staleBefore, 'operators see the stale copy in use');
      const home = (await walker.get(root)).document._links;
      t.deepEqual([home.faqs, home.faq], [homeLinks.faqs, homeLinks.faq], 'the home document keeps its FAQ links too');

      const ready = await fetch(new URL('ready', root));
      t.is(ready.status, 200);
      const health = (await ready.json()) as { status: string; checks: Record<string, { status: string }[]> };
      t.is(health.status, 'warn');
      t.is(
        health.checks['faq-service:responseTime']?.[0]?.status,
        'warn',
        'readiness asks the FAQ service, not the kept copy',
      );

      const promote = await walker.submit(await walker.get(ticket.url), 'promote');
      t.is(promote.status, 503);
      t.regex(promote.headers.get('Retry-After') ?? '', /^[1-9]\d*$/);
      t.is(await system.inspect.faqs(async (db) => (await db.selectFrom('faqs').select('id').execute()).length), 0);
    } finally {
      await system.close();
    }
  },
);

test.serial(
  'a ticket service that has never reached the FAQ service shows no faqs link, and a new ETag once it has',
  async (t) => {
    const system = await startSplitSystem({ ticketEnv: { FAQ_API_COOLDOWN_MS: '1000' } });
    try {
      await system.stopFaqService(); // before the ticket service has read the FAQ home document even once
      const walker = new Walker(system.token);
      const ticket = await report(walker, system.roots.tickets, 'Reported before the FAQ service was ever seen');
      t.is(ticket.document._links.faqs, undefined);
      const tagWithoutLink = (await walker.request(ticket.url)).headers.get('ETag');

      await system.restartFaqService();
      await sleep(1_100); // the circuit's cool-down: then one probe call goes through
      t.truthy((await walker.get(ticket.url)).document._links.faqs, 'the ticket links to its FAQs');
      const tagWithLink = (await walker.request(ticket.url)).headers.get('ETag');
      t.not(tagWithLink, tagWithoutLink, 'a copy without the faqs link is not revalidated as current');
      t.is((await walker.request(ticket.url, { headers: { 'If-None-Match': tagWithoutLink! } })).status, 200);
    } finally {
      await system.close();
    }
  },
);

test.serial('a burst of ticket reads asks the FAQ service for its home document once per fresh period', async (t) => {
  const system = await startSplitSystem();
  try {
    const walker = new Walker(system.token);
    const ticket = await report(walker, system.roots.tickets, 'Read by many at once');
    await sleep(HOME_FRESH_MS + 250); // the kept home document is no longer fresh: the burst must ask
    const before = (await homeRequests(system)).length;

    const started = performance.now();
    const reads = await Promise.all(Array.from({ length: 20 }, () => walker.get(ticket.url)));
    const elapsed = performance.now() - started;
    for (const read of reads) t.truthy(read.document._links.faqs);

    const during = (await homeRequests(system)).slice(before);
    t.true(during.length >= 1, 'the copy that was no longer fresh was revalidated');
    t.true(
      during.length <= 1 + Math.floor(elapsed / HOME_FRESH_MS),
      `at most one request per fresh period: ${during.length} in ${Math.round(elapsed)} ms`,
    );
    t.deepEqual([...new Set(during.map((entry) => entry.status))], [304], 'revalidated by ETag: no body sent');

    const sequential = (await homeRequests(system)).length;
    const again = performance.now();
    for (let n = 0; n < 20; n++) await walker.get(ticket.url);
    const after = (await homeRequests(system)).length - sequential;
    t.true(
      after <= Math.ceil((performance.now() - again) / HOME_FRESH_MS),
      `reads one after another ask once per fresh period too: ${after}`,
    );
  } finally {
    await system.close();
  }
});
