// The explorer for everyone: axe-core finds no serious or critical WCAG 2.1 A/AA violation on any kind of page
// (forms opened, at a desk's width and a phone's), and a person with only a keyboard can follow a link and
// submit a form, seeing where the focus is.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, heading, launchChromium, noScriptErrors, openExplorer, pathOf } from '../helpers/explorer.ts';
import { submitImport, untilFinished } from '../helpers/imports.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

let server: TestServer;
let browser: Browser;
let agent: string;
let ticket: { id: number; title: string };
let job: string;

test.before(async () => {
  server = await startTestServer();
  agent = await server.mint('agent', 'alice');
  for (let n = 1; n <= 3; n++) {
    ticket = (await (
      await server.fetch(
        '/tickets',
        json('POST', { title: `Screen ${n} flickers`, requester: `s${n}@customers.example`, tags: ['screen'] }),
      )
    ).json()) as typeof ticket;
  }
  await server.fetch(
    '/faqs',
    json('POST', { question: 'How do I reset my password?', answer: 'Use the link on the sign-in page.' }),
  );
  job = (
    await submitImport(server.fetch, [
      { title: 'Imported', requester: 'i@customers.example' },
      { title: ' ', requester: 'bad' },
    ])
  ).location;
  await untilFinished(server.fetch, job);
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
});

/** Every collapsed part opened (forms, embedded items, headers), so that the audit sees all the page can show. */
async function openEverything(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const details of document.querySelectorAll('details')) details.open = true;
  });
}

const PAGES: [string, string, boolean][] = [
  ['the home document, anonymous', '/', false],
  ['the home document, as an agent', '/', true],
  ['a collection', '/tickets?size=2', true],
  ['a ticket with its forms', '', true],
  ['an FAQ', '/faqs/1', true],
  ['a problem', '/tickets/999999', true],
  ['an import job', '', true],
  ['an import’s rejections', '', true],
  ['the imports with their form', '/imports', true],
];

for (const width of [1400, 360]) {
  for (const [name, fixed, signedIn] of PAGES) {
    test.serial(`${name} has no serious accessibility violation at ${width} px`, async (t) => {
      const path =
        fixed ||
        {
          'a ticket with its forms': `/tickets/${ticket.id}`,
          'an import job': job,
          'an import’s rejections': `${job}/rejections`,
        }[name]!;
      const page = await openExplorer(t, browser, server.url, path, {
        token: signedIn ? agent : undefined,
        width,
        bypassCSP: true,
      });
      await page.waitForLoadState('networkidle');
      await openEverything(page);
      t.deepEqual(await axeViolations(page), []);
      const wider = await page.evaluate(
        (limit) =>
          [...document.querySelectorAll('body *')]
            .filter((element) => element.getBoundingClientRect().right > limit + 0.5)
            .map((element) => element.outerHTML.slice(0, 120)),
        width,
      );
      t.deepEqual(wider, [], `the page fits ${width} px without scrolling sideways`);
      noScriptErrors(t, page);
    });
  }
}

test.serial('the relation and problem pages for people have no serious accessibility violation', async (t) => {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 800 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  for (const path of ['/rels/tickets', '/rels/imports', '/problems/conflict', '/docs']) {
    const response = await page.goto(`${server.url}${path}`);
    if (response?.status() === 404) continue; // a page this server does not have
    t.deepEqual(await axeViolations(page), [], path);
  }
});

test.serial('the token bar’s Forget button is in view at 390 px', async (t) => {
  const page = await openExplorer(t, browser, server.url, '/', { token: agent, width: 390 });
  const forget = page.getByRole('button', { name: 'Forget' });
  const box = (await forget.boundingBox())!;
  t.true(box.x >= 0 && box.x + box.width <= 390, `Forget at ${box.x}–${box.x + box.width}`);
});

/** Presses Tab until the focused element matches, as a keyboard user would; fails after `limit` presses. */
async function tabTo(
  page: Page,
  matches: (element: { tag: string; text: string; label: string; id: string }) => boolean,
  limit = 80,
): Promise<void> {
  for (let n = 0; n < limit; n++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return {
        tag: element?.tagName.toLowerCase() ?? '',
        text: element?.textContent?.trim() ?? '',
        label: element?.getAttribute('aria-label') ?? '',
        id: element?.id ?? '',
      };
    });
    if (matches(focused)) return;
  }
  throw new Error('never reached by Tab');
}

/** The focused element shows where it is: an outline (or a ring) that is not the unfocused look. */
async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    const style = getComputedStyle(element);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  });
}

test.serial(
  'with the keyboard alone a person follows a link and submits a form, always seeing the focus',
  async (t) => {
    const page = await openExplorer(t, browser, server.url, `/tickets/${ticket.id}`, { token: agent });
    await heading(page, ticket.title).waitFor();
    // Follow the collection link.
    await tabTo(page, (element) => element.label === 'Open collection');
    t.true(await focusIsVisible(page), 'the focused link shows its focus');
    await page.keyboard.press('Enter');
    await heading(page, 'tickets').waitFor();
    t.is(pathOf(page), '/tickets');
    t.is(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'the new page’s heading has the focus');

    // Fill in and submit the create form.
    await tabTo(page, (element) => element.tag === 'input' && element.id.startsWith('field-title'));
    t.true(await focusIsVisible(page));
    await page.keyboard.type('Typed with the keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.type('keys@customers.example');
    await tabTo(page, (element) => element.tag === 'button' && element.text === 'Report a ticket');
    t.true(await focusIsVisible(page), 'the focused button shows its focus');
    const before = ((await (await server.fetch('/tickets')).json()) as { page: { totalElements: number } }).page
      .totalElements;
    await page.keyboard.press('Enter');
    const outcome = page.getByRole('status', { name: 'Outcome' });
    await outcome.getByText('201 Created').first().waitFor();
    t.is(
      ((await (await server.fetch('/tickets')).json()) as { page: { totalElements: number } }).page.totalElements,
      before + 1,
    );
    noScriptErrors(t, page);
  },
);
