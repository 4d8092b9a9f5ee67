// HAL Explorer, hosted on its own origin and pointed at the API through CORS, as its users run it: a page served
// from a second loopback origin walks the API with HAL Explorer's request pattern (test/helpers/hal-explorer-page.js),
// sending every template to its target exactly as written. Each submit must reach the API (its state changes,
// seen through the test's own requests) and nothing but the page itself may come from the page's origin.
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../helpers/explorer.ts';
import type { HalDocument } from '../../helpers/hypermedia.ts';
import { untilFinished } from '../../helpers/imports.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const PAGE_SCRIPT = readFileSync(new URL('../../helpers/hal-explorer-page.js', import.meta.url), 'utf8');
// No favicon request: the page's origin must serve only what the test names.
const PAGE_HTML =
  '<!doctype html><html><head><title>HAL Explorer pattern</title><link rel="icon" href="data:,"></head><body><script src="/walk.js"></script></body></html>';

let pageServer: Server;
let pageOrigin: string;
let api: TestServer;
let browser: Browser;

test.before(async () => {
  pageServer = createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    else if (request.url === '/walk.js')
      response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(PAGE_SCRIPT);
    // What a page-relative template target would hit: HAL Explorer's own host answering 404.
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  api = await startTestServer({ CORS_ORIGINS: pageOrigin, IMPORT_POLL_MS: '50' });
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  await api?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
});

/** What the page could read of one response (hal-explorer-page.js). */
interface Seen {
  method: string;
  uri: string;
  status: number;
  url: string;
  contentType: string | null;
  location: string | null;
  etag: string | null;
  link: string | null;
  requestId: string | null;
  body: HalDocument & Record<string, unknown>;
}

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

/** A fresh tab on the page's origin with HAL Explorer's pattern loaded and `token` as a custom header; every request it makes is recorded. */
async function openPage(token: string): Promise<{ page: Page; sent: Sent[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const sent: Sent[] = [];
  page.on('request', (request) =>
    sent.push({ method: request.method(), url: request.url(), headers: request.headers(), body: request.postData() }),
  );
  await page.goto(`${pageOrigin}/`);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  await page.evaluate(
    (header) => (window as unknown as HalExplorer).halExplorer.setHeaders([['Authorization', header]]),
    `Bearer ${token}`,
  );
  return { page, sent };
}

interface HalExplorer {
  halExplorer: {
    setHeaders(headers: [string, string][]): void;
    go(uri: string): Promise<Seen>;
    followLink(rel: string): Promise<Seen>;
    submitTemplate(name: string, values?: Record<string, unknown>): Promise<Seen>;
    writeFromLink(rel: string, command: string, body: unknown): Promise<Seen & { head: Seen; profileUri?: string }>;
    templates(): { name: string; target?: string }[];
  };
}

const go = (page: Page, uri: string) => page.evaluate((u) => (window as unknown as HalExplorer).halExplorer.go(u), uri);
const follow = (page: Page, rel: string) =>
  page.evaluate((r) => (window as unknown as HalExplorer).halExplorer.followLink(r), rel);
const submit = (page: Page, name: string, values: Record<string, unknown> = {}) =>
  page.evaluate(([n, v]) => (window as unknown as HalExplorer).halExplorer.submitTemplate(n, v), [
    name,
    values,
  ] as const);

/** The resource as the API now has it, through the test's own request (not the page's). */
async function stored(uri: string): Promise<Record<string, unknown>> {
  const response = await api.fetch(uri);
  if (response.status !== 200) throw new Error(`GET ${uri}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Creates a second ticket through the page and merges it into `survivor` (its URI), typing `survivorId` into `into`. */
async function mergeDuplicate(
  t: ExecutionContext,
  page: Page,
  apiOrigin: string,
  survivorId: unknown,
  survivor: string,
): Promise<void> {
  await go(page, `${apiOrigin}/`);
  await follow(page, 'tickets');
  const duplicate = await submit(page, 'default', { title: 'Printer jams again', requester: 'hal@customers.example' });
  t.is(duplicate.status, 201);
  await go(page, duplicate.location!);
  const merged = await submit(page, 'merge', { into: String(survivorId) });
  t.true(merged.status >= 200 && merged.status < 400, `${merged.status} ${JSON.stringify(merged.body)}`);
  const gone = await api.fetch(duplicate.location!);
  t.is(gone.status, 301);
  t.is(new URL(gone.headers.get('Location')!).pathname, new URL(survivor).pathname);
}

/** What the page sent, as a browser on another origin must send it. */
async function assertRequestsSent(t: ExecutionContext, sent: Sent[], apiOrigin: string, token: string): Promise<void> {
  // Nothing went to the page's own origin but the page; every request to the API carried the token; every write
  // carried its template's content type; HAL-FORMS was asked for first.
  const own = sent
    .filter((request) => new URL(request.url).origin === pageOrigin)
    .map((request) => `${request.method} ${new URL(request.url).pathname}`);
  t.deepEqual(own, ['GET /', 'GET /walk.js']);
  const toApi = sent.filter((request) => new URL(request.url).origin === apiOrigin);
  t.true(toApi.length > 20);
  // HAL Explorer fetches a form's option links with Accept alone, without its custom headers: they answer 401
  // here, and it shows those fields as plain inputs (where `into` was typed).
  for (const request of toApi) {
    const optionLink =
      request.headers.accept === 'application/hal+json' || request.headers.accept === 'application/json';
    if (!optionLink) t.is(request.headers.authorization, `Bearer ${token}`, `${request.method} ${request.url}`);
    if (request.method === 'GET' && !optionLink)
      t.true(request.headers.accept?.startsWith('application/prs.hal-forms+json'), request.url);
  }
  const writes = toApi.filter((request) => ['POST', 'PATCH', 'PUT'].includes(request.method));
  t.is(writes.length, 8);
  for (const write of writes) {
    t.is(write.headers['content-type'], 'application/json', `${write.method} ${write.url}`);
    t.notThrows(() => JSON.parse(write.body ?? ''), `${write.method} ${write.url} sends JSON`);
  }
  t.true(
    toApi.some((request) => request.method === 'HEAD'),
    'a HEAD before the write from a link',
  );
}

async function assertAnswersReadable(t: ExecutionContext, page: Page): Promise<void> {
  const readable = await page.evaluate(() =>
    (window as unknown as { halExplorer: { exchanges(): Seen[] } }).halExplorer.exchanges(),
  );
  t.true(
    readable.every((seen) => seen.requestId !== null),
    'X-Request-Id readable on every answer',
  );
  t.true(readable.some((seen) => seen.location !== null));
  t.true(readable.some((seen) => seen.etag !== null));
  t.true(readable.some((seen) => seen.link !== null));
}

/**
 * Writes an FAQ through the FAQs' default template, and another from the `faqs` link's button (HAL Explorer's
 * "all HTTP methods for links": HEAD first, then the typed body); both are stored as typed.
 */
async function writeFaqsTwoWays(t: ExecutionContext, page: Page, apiOrigin: string): Promise<void> {
  // Write an FAQ through the FAQs' default template.
  await go(page, `${apiOrigin}/`);
  await follow(page, 'faqs');
  const faq = await submit(page, 'default', {
    question: 'Why does the printer jam?',
    answer: 'Fan the paper before loading it.',
  });
  t.is(faq.status, 201, JSON.stringify(faq.body));
  t.like(await stored(faq.location!), {
    question: 'Why does the printer jam?',
    answer: 'Fan the paper before loading it.',
  });

  // A write from a link's button (HAL Explorer's "all HTTP methods for links"): HEAD first, then the typed body.
  await go(page, `${apiOrigin}/`);
  const typed = await page.evaluate(
    (body) => (window as unknown as HalExplorer).halExplorer.writeFromLink('faqs', 'Post', body),
    { question: 'Where is the paper tray?', answer: 'Below the output tray.' },
  );
  t.is(typed.head.status, 200);
  t.truthy(typed.head.link, 'the page can read Link');
  t.is(typed.status, 201, JSON.stringify(typed.body));
  t.like(await stored(typed.location!), { question: 'Where is the paper tray?' });
}

test('HAL Explorer on another origin creates, updates, promotes and merges tickets, writes an FAQ and imports, each submit reaching the API', async (t) => {
  const token = await api.mint('agent');
  const { page, sent } = await openPage(token);
  const apiOrigin = new URL(api.url).origin;
  t.not(apiOrigin, pageOrigin);

  const root = await go(page, `${apiOrigin}/`);
  t.is(root.status, 200);
  const collection = await follow(page, 'tickets');
  t.is(collection.status, 200);
  t.true(collection.contentType?.startsWith('application/prs.hal-forms+json'), 'HAL Explorer asks for HAL-FORMS first');

  // Create through the collection's default template.
  const created = await submit(page, 'default', {
    title: 'Printer jams in HAL Explorer',
    requester: 'hal@customers.example',
  });
  t.is(created.status, 201, JSON.stringify(created.body));
  if (created.location === null) return t.fail('the page could not read Location');
  t.like(await stored(created.location), {
    title: 'Printer jams in HAL Explorer',
    requester: 'hal@customers.example',
    status: 'open',
  });

  // Update through `update`: only priority typed, every other field sent back as the dialog filled it.
  const ticket = await go(page, created.location);
  t.truthy(ticket.etag, 'the page can read ETag');
  const before = await stored(created.location);
  const updated = await submit(page, 'update', { priority: 'urgent' });
  t.is(updated.status, 200, JSON.stringify(updated.body));
  const after = await stored(created.location);
  t.is(after.priority, 'urgent');
  for (const unchanged of ['title', 'status', 'requester', 'description', 'tags', 'assignee'])
    t.deepEqual(after[unchanged], before[unchanged], unchanged);

  // Promote through its template: an FAQ now exists with the ticket's title.
  await go(page, created.location);
  const promoted = await submit(page, 'promote');
  t.true(promoted.status === 201 || promoted.status === 303, `${promoted.status} ${JSON.stringify(promoted.body)}`);
  if (promoted.location === null) return t.fail('promote: the page could not read Location');
  t.like(await stored(promoted.location), { question: 'Printer jams in HAL Explorer', status: 'draft' });

  // Merge a second ticket into the first, typing the first's id into `into`.
  await mergeDuplicate(t, page, apiOrigin, before.id, created.location);

  await writeFaqsTwoWays(t, page, apiOrigin);

  // Import through the imports form, as HAL Explorer fills it: {"tickets": "<text>"}.
  await go(page, `${apiOrigin}/`);
  await follow(page, 'imports');
  const rows = [{ title: 'Imported through HAL Explorer', requester: 'hal@customers.example' }];
  const imported = await submit(page, 'default', { tickets: JSON.stringify(rows) });
  t.is(imported.status, 202, JSON.stringify(imported.body));
  const job = await untilFinished(api.fetch, imported.location!);
  t.like(job, { state: 'done', progress: { total: 1, created: 1 } });

  // Every template the page was offered had a target a browser elsewhere can use as written: absolute, on the API.
  const templates = await page.evaluate(() => (window as unknown as HalExplorer).halExplorer.templates());
  t.true(templates.length >= 6);
  for (const { name, target } of templates)
    t.is(target === undefined ? undefined : new URL(target).origin, apiOrigin, `${name}: ${target}`);

  await assertRequestsSent(t, sent, apiOrigin, token);
  // CORS lets the page read what HAL Explorer shows of each answer.
  await assertAnswersReadable(t, page);
  await page.context().close();
});
