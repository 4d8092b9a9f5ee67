// End to end in headless Chromium: a person using the API through the explorer, against the real server.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/explorer.ts';
import { spawnServerWithDatabase } from '../helpers/process.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';
import { withoutOrigin } from '../helpers/hal.ts';

const SCREENSHOT = 'test-results/explorer-ticket.png';

interface Ticket {
  id: number;
  title: string;
  status: string;
  priority: string;
  tags: string[];
}

let server: TestServer;
let browser: Browser;
let agent: string;
const tickets: Ticket[] = [];

test.before(async () => {
  server = await startTestServer();
  agent = await server.mint('agent', 'alice');
  for (let n = 1; n <= 7; n++) {
    const response = await server.fetch(
      '/tickets',
      json('POST', { title: `Printer ${n} jams`, requester: `c${n}@customers.example`, tags: ['printer'] }),
    );
    tickets.push((await response.json()) as Ticket);
  }
  await server.fetch(
    '/faqs',
    json('POST', { question: 'How do I reset my password?', answer: 'Use the link on the sign-in page.' }),
  );
  browser = await launchChromium(); // a missing browser fails the run, never skips it
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
});

const scriptErrors = new WeakMap<Page, string[]>();

/** Every test ends here: the page ran without a script error. */
function noScriptErrors(t: ExecutionContext, page: Page): void {
  t.deepEqual(scriptErrors.get(page), [], 'no script errors on the page');
}

/** A new browser tab at `path`, with `token` entered in the explorer's token field first (when given). */
async function explorer(t: ExecutionContext, path: string, token?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  scriptErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  if (token) {
    await page.goto(`${server.url}/explorer`);
    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByText('Token in use').waitFor();
  }
  await page.goto(`${server.url}${path}`);
  await page.locator('main h1').waitFor();
  return page;
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
const pathOf = (page: Page) => {
  const url = new URL(page.url());
  return url.pathname + url.search;
};

/** Inputs a screen reader could not name: every field must have a label. */
function unlabelledFields(page: Page): Promise<string[]> {
  return page
    .locator('input, select, textarea')
    .evaluateAll((fields) =>
      fields
        .filter((field) => (field as HTMLInputElement).labels?.length === 0 && !field.hasAttribute('aria-label'))
        .map((field) => field.outerHTML),
    );
}

async function count(path: string): Promise<number> {
  return ((await (await server.fetch(path)).json()) as { page: { totalElements: number } }).page.totalElements;
}

test.serial(
  'opening / shows the home document; an agent’s token, kept for the session, adds the tickets link',
  async (t) => {
    const page = await explorer(t, '/');
    await heading(page, 'Helpdesk').waitFor();
    const rel = (name: string) => page.getByRole('rowheader', { name, exact: true });
    await rel('faqs').waitFor();
    t.is(await rel('tickets').count(), 0, 'anonymous callers are not shown tickets');
    t.is(await page.getByRole('status').filter({ hasText: 'Anonymous' }).count(), 1);

    const request = page.waitForRequest((r) => r.resourceType() === 'fetch' && new URL(r.url()).pathname === '/');
    await page.getByLabel('Bearer token').fill(agent);
    await page.getByRole('button', { name: 'Use token' }).click();
    const sent = await request;
    t.is(sent.headers().authorization, `Bearer ${agent}`);
    t.regex(sent.headers().accept ?? '', /^application\/prs\.hal-forms\+json, application\/hal\+json;q=0\.9/);
    await rel('tickets').waitFor();

    await page.reload();
    await rel('tickets').waitFor();
    t.is(await page.getByText('Token in use').count(), 1, 'the token survives a reload');

    await page.getByRole('button', { name: 'Forget' }).click();
    await page.getByText('Anonymous').waitFor();
    await rel('faqs').waitFor();
    t.is(await rel('tickets').count(), 0);
    noScriptErrors(t, page);
  },
);

test.serial(
  'following tickets opens its template (status a choice); size=5 lists five, next pages on, and an embedded ticket opens',
  async (t) => {
    const page = await explorer(t, '/', agent);
    await page.getByRole('button', { name: 'Fill in tickets' }).click();
    const template = page.getByRole('form', { name: 'Fill in tickets' });
    await template.getByLabel('size', { exact: true }).fill('5');
    await template.getByText('/tickets?size=5').waitFor();
    // The collection's schema names the values status may take: a choice, not free text.
    const status = template.locator('select[name="status"]');
    await status.waitFor();
    t.deepEqual(
      await status
        .locator('option')
        .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value)),
      ['', 'open', 'pending', 'solved', 'closed'],
    );
    t.is(
      await template.getByLabel('status', { exact: true }).evaluate((element) => element.tagName),
      'SELECT',
      'still labelled',
    );
    t.deepEqual(await unlabelledFields(page), []);
    await template.getByRole('button', { name: 'Open' }).click();
    await page.waitForURL(/\/tickets\?size=5$/);
    await heading(page, 'tickets').waitFor();
    const items = page.getByRole('region', { name: 'Embedded tickets' }).getByRole('listitem');
    t.is(await items.count(), 5);
    const total = await count('/tickets');
    const pages = page.getByRole('navigation', { name: 'Pages' });
    t.is(await pages.getByText(`Page 1 of ${Math.ceil(total / 5)}`).count(), 1);

    await pages.getByRole('link', { name: 'Next ›' }).click();
    await page.waitForURL(/\/tickets\?page=2&size=5&after=\d+$/);
    await pages.getByText(`Page 2 of ${Math.ceil(total / 5)}`).waitFor();
    t.is(await items.count(), Math.min(5, total - 5));
    t.is(await pages.getByRole('link', { name: '‹ Previous' }).count(), 1);

    const first = items.first();
    const title = (await first.locator('summary .embedded-title').textContent())!;
    await first.locator('summary').click();
    await first.getByRole('term').filter({ hasText: 'requester' }).waitFor();
    await first.getByRole('link', { name: `Open ${title}` }).click();
    await heading(page, title).waitFor();
    t.regex(pathOf(page), /^\/tickets\/\d+$/);
    noScriptErrors(t, page);
  },
);

test.serial('a ticket’s update form sends a merge patch with If-Match, and the page shows the new value', async (t) => {
  const ticket = tickets[0]!;
  const page = await explorer(t, `/tickets/${ticket.id}`, agent);
  await heading(page, ticket.title).waitFor();
  const form = page.getByRole('form', { name: 'Change this ticket' });
  await form.getByLabel('Title').fill('Printer 1 fixed: new toner');
  await form.getByLabel('Status').selectOption('pending');
  const patch = page.waitForRequest((r) => r.method() === 'PATCH');
  await form.getByRole('button', { name: 'Change this ticket' }).click();
  const sent = await patch;
  t.is(withoutOrigin(sent.headers()['if-match']), '"v1-forms-agent"');
  t.is(sent.headers()['content-type'], 'application/json');
  t.deepEqual(sent.postDataJSON(), { title: 'Printer 1 fixed: new toner', status: 'pending' });

  await page.getByRole('status', { name: 'Outcome' }).getByText('200 OK').first().waitFor();
  await heading(page, 'Printer 1 fixed: new toner').waitFor();
  const properties = page.getByRole('region', { name: 'Properties' });
  await properties.getByText('pending', { exact: true }).waitFor();
  const stored = (await (await server.fetch(`/tickets/${ticket.id}`)).json()) as Ticket;
  t.like(stored, { title: 'Printer 1 fixed: new toner', status: 'pending', tags: ['printer'] });

  t.deepEqual(await unlabelledFields(page), []);
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  noScriptErrors(t, page);
});

test.serial('the collection’s create form makes a ticket, and its Location can be followed', async (t) => {
  const before = await count('/tickets');
  const page = await explorer(t, '/tickets', agent);
  const form = page.getByRole('form', { name: 'Report a ticket' });
  await form.getByLabel('Title').fill('Scanner grinds');
  await form.getByLabel('Requester').fill('dora@customers.example');
  await form.getByLabel('Priority').selectOption('high');
  await form.getByLabel('Tags').fill('scanner, noise');
  const post = page.waitForRequest((r) => r.method() === 'POST');
  await form.getByRole('button', { name: 'Report a ticket' }).click();
  const sent = await post;
  t.is(sent.headers()['content-type'], 'application/json');
  t.is(sent.headers()['if-match'], undefined, 'a create changes no resource the explorer has a version of');
  t.deepEqual(sent.postDataJSON(), {
    title: 'Scanner grinds',
    requester: 'dora@customers.example',
    priority: 'high',
    tags: ['scanner', 'noise'],
  });

  const outcome = page.getByRole('status', { name: 'Outcome' });
  await outcome.getByText('201 Created').first().waitFor();
  const inView = await outcome.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  });
  t.true(inView, 'what came of the form is brought into view');
  await outcome.getByRole('link', { name: 'Follow Location' }).click();
  await heading(page, 'Scanner grinds').waitFor();
  t.regex(pathOf(page), /^\/tickets\/\d+$/);
  const properties = page.getByRole('region', { name: 'Properties' });
  for (const text of ['high', 'scanner', 'noise', 'dora@customers.example'])
    await properties.getByText(text, { exact: true }).waitFor();
  t.is(await count('/tickets'), before + 1);
  const created = (await (await server.fetch(pathOf(page))).json()) as Ticket;
  t.like(created, { title: 'Scanner grinds', priority: 'high', tags: ['scanner', 'noise'] });
  noScriptErrors(t, page);
});

test.serial('a 409 is shown readably: an FAQ whose question is taken is refused, and nothing is created', async (t) => {
  const before = await count('/faqs');
  const page = await explorer(t, '/faqs', agent);
  const form = page.getByRole('form', { name: 'Write an FAQ' });
  t.deepEqual(await unlabelledFields(page), []);
  await form.getByLabel('Question').fill('how do I reset my password?');
  await form.getByRole('button', { name: 'Write an FAQ' }).click();
  const problem = form.getByRole('alert');
  await problem.getByText('409 · Conflict with the current state').waitFor();
  t.regex((await problem.textContent()) ?? '', /already asks "how do I reset my password\?"/);
  t.is(
    await problem.getByRole('link', { name: 'What this problem means' }).getAttribute('href'),
    server.at('/problems/conflict'),
  );
  t.is(await count('/faqs'), before);
  noScriptErrors(t, page);
});

test.serial('a 400 names the field at fault beside it, and nothing is created', async (t) => {
  const before = await count('/tickets');
  const page = await explorer(t, '/tickets', agent);
  const form = page.getByRole('form', { name: 'Report a ticket' });
  await form.getByLabel('Title').fill('Keyboard sticks');
  await form.getByLabel('Requester').fill('someone@localhost'); // the browser calls it an email; the API does not
  await form.getByRole('button', { name: 'Report a ticket' }).click();
  await form.getByRole('alert').getByText('400 · The request is not valid').waitFor();
  const requester = form.getByLabel('Requester');
  t.is(await requester.getAttribute('aria-invalid'), 'true');
  t.is(
    await form
      .locator('.field-message')
      .filter({ hasText: /^Requester must be an email address$/ })
      .count(),
    1,
    'said for people, once',
  );
  t.is(await form.getByLabel('Title').getAttribute('aria-invalid'), null);
  t.is(await count('/tickets'), before);
  noScriptErrors(t, page);
});

test.serial(
  'a write to a resource changed meanwhile is refused with 412, and a reload shows the current version',
  async (t) => {
    const ticket = tickets[1]!;
    const page = await explorer(t, `/tickets/${ticket.id}`, agent);
    const form = page.getByRole('form', { name: 'Change this ticket' });
    await form.getByLabel('Title').fill('Nobody will see this title');
    await server.fetch(
      `/tickets/${ticket.id}`,
      json('PATCH', { priority: 'urgent' }, { 'Content-Type': 'application/merge-patch+json' }),
    );
    await form.getByRole('button', { name: 'Change this ticket' }).click();
    await form.getByRole('alert').getByText('This resource changed since you loaded it').waitFor();
    t.like((await (await server.fetch(`/tickets/${ticket.id}`)).json()) as Ticket, {
      title: ticket.title,
      priority: 'urgent',
    });

    await form.getByRole('button', { name: 'Reload the resource' }).click();
    await page.getByRole('region', { name: 'Properties' }).getByText('urgent', { exact: true }).waitFor();
    t.is(await page.getByRole('form', { name: 'Change this ticket' }).getByLabel('Priority').inputValue(), 'urgent');
    noScriptErrors(t, page);
  },
);

test.serial('back, forward, reload and the address field move between resources by their URLs', async (t) => {
  const ticket = tickets[2]!;
  const page = await explorer(t, '/', agent);
  await page.getByRole('button', { name: 'Fill in ticket', exact: true }).click();
  await page.getByRole('form', { name: 'Fill in ticket' }).getByLabel('id').fill(String(ticket.id));
  await page.getByRole('form', { name: 'Fill in ticket' }).getByRole('button', { name: 'Open' }).click();
  await heading(page, ticket.title).waitFor();
  t.is(pathOf(page), `/tickets/${ticket.id}`);
  await page.getByRole('link', { name: 'Open collection' }).click();
  await heading(page, 'tickets').waitFor();
  t.is(pathOf(page), '/tickets');

  await page.goBack();
  await heading(page, ticket.title).waitFor();
  t.is(pathOf(page), `/tickets/${ticket.id}`);
  await page.goBack();
  await heading(page, 'Helpdesk').waitFor();
  t.is(pathOf(page), '/');
  await page.goForward();
  await heading(page, ticket.title).waitFor();
  await page.reload();
  await heading(page, ticket.title).waitFor();
  t.is(await page.getByLabel('URL').inputValue(), `/tickets/${ticket.id}`);

  await page.getByLabel('URL').fill('/schemas/ticket');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const schema = page.getByRole('region', { name: 'JSON' });
  await schema.getByText('"title": "Ticket"').waitFor();
  t.is(pathOf(page), '/explorer?url=%2Fschemas%2Fticket', 'what is not HAL is shown at /explorer?url=…');
  await page.reload();
  await schema.getByText('"title": "Ticket"').waitFor();
  await page.goBack();
  await heading(page, ticket.title).waitFor();
  noScriptErrors(t, page);
});

test.serial(
  'a deprecated v1 resource shows its Deprecation and Sunset headers, says so, and links its successor',
  async (t) => {
    const page = await explorer(t, '/v1/faqs/1', agent);
    await heading(page, 'How do I reset my password?').waitFor();
    const exchange = page.getByRole('region', { name: 'Request and response' });
    for (const name of ['Deprecation', 'Sunset', 'Link', 'ETag'])
      t.is(
        await exchange
          .getByRole('term')
          .filter({ hasText: new RegExp(`^${name}$`) })
          .count(),
        1,
        name,
      );
    const notice = page.getByRole('region', { name: 'Deprecated' });
    t.regex((await notice.textContent()) ?? '', /^Deprecated since \d{4}-\d{2}-\d{2}, gone after \d{4}-\d{2}-\d{2}\./);
    await notice.getByRole('link', { name: '/faqs/1' }).click();
    await page.waitForURL((url) => url.pathname === '/faqs/1'); // the successor has the same title: wait for the address
    await heading(page, 'How do I reset my password?').waitFor();
    t.is(await page.getByRole('region', { name: 'Deprecated' }).count(), 0);
    noScriptErrors(t, page);
  },
);

test.serial(
  'on a server mounted at /kb the explorer starts at /kb/, and its own links and addresses stay under /kb',
  async (t) => {
    const mounted = await spawnServerWithDatabase({ BASE_PATH: '/kb' });
    t.teardown(() => mounted.close());
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const fetched: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'fetch') fetched.push(new URL(request.url()).pathname);
    });

    // The explorer's own page, with no URL to open, opens the mounted home document.
    await page.goto(`${mounted.url}/kb/explorer`);
    await heading(page, 'Helpdesk').waitFor();
    await page.getByRole('rowheader', { name: 'faqs', exact: true }).waitFor();
    t.is(pathOf(page), '/kb/explorer');

    // What is not HAL is shown at the mounted explorer's address, and a reload opens it again.
    await page.getByLabel('URL').fill('/kb/schemas/ticket');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const schema = page.getByRole('region', { name: 'JSON' });
    await schema.getByText('"title": "Ticket"').waitFor();
    t.is(pathOf(page), '/kb/explorer?url=%2Fkb%2Fschemas%2Fticket');
    await page.reload();
    await schema.getByText('"title": "Ticket"').waitFor();

    // The brand leads to the mounted home document, shown at its own URL.
    t.is(await page.getByRole('link', { name: 'Helpdesk API explorer: home document' }).getAttribute('href'), '/kb/');
    await page.getByRole('link', { name: 'Helpdesk API explorer: home document' }).click();
    await heading(page, 'Helpdesk').waitFor();
    t.is(pathOf(page), '/kb/');

    t.true(fetched.length >= 3);
    for (const path of fetched) t.regex(path, /^\/kb\//, 'every request the explorer sent went under the mount');
    t.deepEqual(errors, [], 'no script errors on the page');
  },
);
