// End to end in headless Chromium: requests as a person wants them (their own headers, the media type they
// ask for, any method a link's target allows) and every exchange shown, a failed one included.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { heading, launchChromium, noScriptErrors, openExplorer, pathOf } from '../helpers/explorer.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

interface Ticket {
  id: number;
  title: string;
  status: string;
}

let server: TestServer;
let browser: Browser;
let agent: string;

test.before(async () => {
  server = await startTestServer();
  agent = await server.mint('agent', 'alice');
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
});

let made = 0;
async function newTicket(fields: object = {}): Promise<Ticket> {
  const response = await server.fetch(
    '/tickets',
    json('POST', { title: `Requests ticket ${++made}`, requester: 'req@customers.example', ...fields }),
  );
  return (await response.json()) as Ticket;
}

const exchange = (page: Page) => page.getByRole('region', { name: 'Request and response' });
/** The value shown for a header in the exchange panel (response headers, and the request's once opened). */
const shownHeader = (page: Page, name: string) =>
  exchange(page)
    .locator('.headers > div', { has: page.getByRole('term').filter({ hasText: new RegExp(`^${name}$`) }) })
    .getByRole('definition');

test.serial(
  'a header of the person’s own is sent with every request they make, seen by the server, and kept for the session',
  async (t) => {
    const page = await openExplorer(t, browser, server.url, '/', { token: agent });
    await page.getByRole('button', { name: 'Headers' }).click();
    const editor = page.getByRole('form', { name: 'Request headers' });
    await editor.getByLabel('Header 1 name').fill('X-Request-Id');
    await editor.getByLabel('Header 1 value').fill('explorer-own-header');
    const sent = page.waitForRequest((r) => r.resourceType() === 'fetch' && new URL(r.url()).pathname === '/');
    await editor.getByRole('button', { name: 'Use these headers' }).click();
    t.is((await sent).headers()['x-request-id'], 'explorer-own-header');
    // The server takes a client's request id for its own, and says it back: it saw the header.
    await shownHeader(page, 'X-Request-Id').getByText('explorer-own-header').waitFor();

    const reloaded = page.waitForRequest((r) => r.resourceType() === 'fetch' && new URL(r.url()).pathname === '/');
    await page.reload();
    t.is((await reloaded).headers()['x-request-id'], 'explorer-own-header', 'kept for the session');
    await page.getByRole('button', { name: 'Headers (1)' }).waitFor();

    // Removed, it is sent no more.
    await page.getByRole('button', { name: 'Headers (1)' }).click();
    await editor.getByRole('button', { name: 'Remove header 1' }).click();
    const without = page.waitForRequest((r) => r.resourceType() === 'fetch' && r.method() === 'GET');
    await editor.getByRole('button', { name: 'Use these headers' }).click();
    t.not((await without).headers()['x-request-id'], 'explorer-own-header');
    await page.getByRole('button', { name: 'Headers', exact: true }).waitFor();
    noScriptErrors(t, page);
  },
);

test.serial('Accept asks for HAL-FORMS, plain HAL or JSON, and the page shows what came', async (t) => {
  const ticket = await newTicket();
  const page = await openExplorer(t, browser, server.url, `/tickets/${ticket.id}`, { token: agent });
  await page.getByRole('region', { name: 'Actions' }).waitFor();

  const hal = page.waitForRequest((r) => r.resourceType() === 'fetch' && r.method() === 'GET');
  await page.getByLabel('Accept').selectOption({ label: 'HAL' });
  t.regex((await hal).headers().accept ?? '', /^application\/hal\+json,/);
  await shownHeader(page, 'Content-Type').getByText('application/hal+json').waitFor();
  await heading(page, ticket.title).waitFor();
  t.is(await page.getByRole('region', { name: 'Actions' }).count(), 0, 'plain HAL carries no forms');

  const plain = page.waitForRequest((r) => r.resourceType() === 'fetch' && r.method() === 'GET');
  await page.getByLabel('Accept').selectOption({ label: 'JSON' });
  t.regex((await plain).headers().accept ?? '', /^application\/json,/);
  await shownHeader(page, 'Content-Type').getByText('application/json').waitFor();

  await page.reload();
  t.is(await page.getByLabel('Accept').inputValue(), 'json', 'the choice is kept for the session');
  await page.getByLabel('Accept').selectOption({ label: 'HAL-FORMS' });
  await page.getByRole('region', { name: 'Actions' }).waitFor();
  noScriptErrors(t, page);
});

test.serial(
  'a DELETE that OPTIONS offers on a link is sent, with If-Match, and the ticket is gone (410)',
  async (t) => {
    const ticket = await newTicket();
    const page = await openExplorer(t, browser, server.url, `/tickets/${ticket.id}`, { token: agent });
    const links = page.getByRole('region', { name: 'Links' });
    const options = page.waitForRequest((r) => r.method() === 'OPTIONS');
    await links.getByRole('button', { name: 'Methods self' }).click();
    t.is(new URL((await options).url()).pathname, `/tickets/${ticket.id}`);
    for (const method of ['PUT', 'PATCH', 'DELETE'])
      await links.getByRole('button', { name: method, exact: true }).waitFor();
    t.is(await links.getByRole('button', { name: 'GET', exact: true }).count(), 0, 'GET is the link itself');

    await links.getByRole('button', { name: 'DELETE', exact: true }).click();
    const request = links.getByRole('form', { name: 'DELETE request' });
    t.is(await request.getByLabel('URL').inputValue(), `/tickets/${ticket.id}`);
    t.is(await request.getByLabel('Body').count(), 0, 'a DELETE takes no body');
    const deleting = page.waitForRequest((r) => r.method() === 'DELETE');
    await request.getByRole('button', { name: 'Send DELETE' }).click();
    const sent = await deleting;
    t.regex(sent.headers()['if-match'] ?? '', /^"v1-/);
    await page.getByRole('status', { name: 'Outcome' }).getByText('204 No Content').first().waitFor();
    t.is((await server.fetch(`/tickets/${ticket.id}`)).status, 410, 'deleted: gone');
    noScriptErrors(t, page);
  },
);

test.serial('a PATCH opened from a link sends the body typed, as the type chosen', async (t) => {
  const ticket = await newTicket();
  const page = await openExplorer(t, browser, server.url, `/tickets/${ticket.id}`, { token: agent });
  const links = page.getByRole('region', { name: 'Links' });
  await links.getByRole('button', { name: 'Methods self' }).click();
  await links.getByRole('button', { name: 'PATCH', exact: true }).click();
  const request = links.getByRole('form', { name: 'PATCH request' });
  t.is(await request.getByLabel('Content-Type').inputValue(), 'application/merge-patch+json');
  await request.getByLabel('Body').fill('{"priority": "urgent"}');
  const patch = page.waitForRequest((r) => r.method() === 'PATCH');
  await request.getByRole('button', { name: 'Send PATCH' }).click();
  t.is((await patch).headers()['content-type'], 'application/merge-patch+json');
  await page.getByRole('status', { name: 'Outcome' }).getByText('200 OK').first().waitFor();
  t.like((await (await server.fetch(`/tickets/${ticket.id}`)).json()) as Ticket, { priority: 'urgent' });
  noScriptErrors(t, page);
});

test.serial(
  'after a 409 from merge, the request and response panel shows the failed POST: its headers, body and X-Request-Id',
  async (t) => {
    const survivor = await newTicket();
    await server.fetch(`/tickets/${survivor.id}`, json('PATCH', { status: 'closed' }));
    const ticket = await newTicket();
    const page = await openExplorer(t, browser, server.url, `/tickets/${ticket.id}`, { token: agent });
    const form = page.getByRole('form', { name: 'Merge into another ticket' });
    await page.getByText('Merge into another ticket', { exact: true }).first().click();
    await form.getByLabel('Into').fill(String(survivor.id));
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await form.getByRole('button', { name: 'Merge into another ticket' }).click();
    const answer = await posted;
    t.is(answer.status(), 409);
    await form
      .getByRole('alert')
      .getByText(/^409 · /)
      .waitFor();

    const panel = exchange(page);
    await panel.getByText(`/tickets/${ticket.id}/merge`, { exact: true }).waitFor();
    t.is(await panel.locator('.request-line .method').textContent(), 'POST');
    await panel.getByText('409 Conflict').waitFor();
    await shownHeader(page, 'X-Request-Id')
      .getByText((await answer.headerValue('x-request-id'))!)
      .waitFor();
    await panel.getByText(/^Request headers/).click();
    await shownHeader(page, 'Content-Type').getByText('application/json').first().waitFor();
    t.deepEqual(JSON.parse((await panel.locator('.sent pre').textContent())!), { into: String(survivor.id) });
    t.is(pathOf(page), `/tickets/${ticket.id}`);
    t.like(
      (await (await server.fetch(`/tickets/${ticket.id}`)).json()) as Ticket,
      { status: 'open' },
      'nothing changed',
    );
    noScriptErrors(t, page);
  },
);

test.serial('merge’s Into is one line whose suggestions search the tickets as words are typed', async (t) => {
  const survivor = await newTicket({ title: 'Keyboard sticks at the reception desk' });
  const ticket = await newTicket();
  const page = await openExplorer(t, browser, server.url, `/tickets/${ticket.id}`, { token: agent });
  await page.getByText('Merge into another ticket', { exact: true }).first().click();
  const form = page.getByRole('form', { name: 'Merge into another ticket' });
  const into = form.getByLabel('Into');
  t.is(await into.evaluate((element) => element.tagName), 'INPUT', 'an id or a URI: one line, not a text area');
  const search = page.waitForRequest(
    (r) => new URL(r.url()).pathname === '/tickets' && new URL(r.url()).searchParams.get('q') === 'reception',
  );
  await into.fill('reception');
  await search;
  const suggestion = form.locator(`datalist option[value="${survivor.id}"]`);
  await suggestion.waitFor({ state: 'attached' });
  t.is(await suggestion.getAttribute('label'), survivor.title);
  noScriptErrors(t, page);
});

test.serial('an FAQ’s related FAQs are searched by words, and what was chosen stays chosen', async (t) => {
  const faq = async (question: string) =>
    ((await (await server.fetch('/faqs', json('POST', { question }))).json()) as { id: number }).id;
  const printers = await faq('Why does the printer print blank pages?');
  const vpn = await faq('How do I connect to the VPN from home?');
  const page = await openExplorer(t, browser, server.url, '/faqs', { token: agent });
  const form = page.getByRole('form', { name: 'Write an FAQ' });
  const related = form.getByLabel('Related', { exact: true });
  await form.locator(`select[name="related"] option[value="${printers}"]`).waitFor({ state: 'attached' });
  await related.selectOption(String(printers));

  const search = page.waitForRequest(
    (r) => new URL(r.url()).pathname === '/faqs' && new URL(r.url()).searchParams.get('q') === 'vpn',
  );
  await form.getByLabel('Search for Related').fill('vpn');
  await search;
  await form.locator(`select[name="related"] option[value="${vpn}"]`).waitFor({ state: 'attached' });
  t.deepEqual(
    await related.evaluate((select) =>
      [...(select as HTMLSelectElement).selectedOptions].map((option) => option.value),
    ),
    [String(printers)],
    'the earlier choice is kept',
  );
  await related.selectOption([String(printers), String(vpn)]);
  await form.getByLabel('Question').fill('Which FAQs should I read first?');
  const post = page.waitForRequest((r) => r.method() === 'POST');
  await form.getByRole('button', { name: 'Write an FAQ' }).click();
  t.deepEqual((await post).postDataJSON().related, [String(printers), String(vpn)]);
  await page.getByRole('status', { name: 'Outcome' }).getByText('201 Created').first().waitFor();
  noScriptErrors(t, page);
});
