// End to end in headless Chromium: a bulk import started from the explorer, from a file, and followed live as
// the server's Retry-After says, until it ends or the person leaves the page.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, heading, launchChromium, noScriptErrors, openExplorer, pathOf } from '../helpers/explorer.ts';
import { pathOf as hrefPath } from '../helpers/hal.ts';
import type { ImportBody } from '../helpers/imports.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

let server: TestServer;
let browser: Browser;
let agent: string;

test.before(async () => {
  // Small chunks, so that a job moves in many steps.
  server = await startTestServer({ IMPORT_CHUNK_ROWS: '50' });
  agent = await server.mint('agent', 'alice');
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Makes the job run on "another instance": running, under a lease that instance holds for as long as the test
 * wants. This instance's worker leaves it alone (or, had it begun, stops at its next chunk: fenced by the lease)
 * until `giveBack` lets the lease lapse, when it takes the job over and finishes it.
 */
async function runElsewhere(location: string): Promise<() => Promise<void>> {
  const id = Number(location.split('/').pop());
  const lease = (until: string) =>
    server.inspect((db) =>
      db
        .updateTable('imports')
        .set({ state: 'running', lease_owner: 'another-instance', lease_expires_at: until })
        .where('id', '=', id)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst(),
    );
  const taken = await lease('9999-12-31T00:00:00.000Z');
  if (taken.numUpdatedRows !== 1n) throw new Error(`import ${id} ended before the test could hold it`);
  return async () => {
    await lease('2000-01-01T00:00:00.000Z');
  };
}

/** `rows` tickets as NDJSON, the `bad` rows (1-based) with a blank title. */
function ndjson(rows: number, bad: number[], tag: string): string {
  return Array.from({ length: rows }, (_, i) =>
    JSON.stringify({
      title: bad.includes(i + 1) ? ' ' : `${tag} ${i + 1}`,
      requester: `row${i + 1}@customers.example`,
      tags: [tag],
    }),
  ).join('\n');
}

/** When the explorer looked at a job (ms since the epoch), as the browser sent its requests. */
function looksAt(page: Page, jobPath: string): number[] {
  const looks: number[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'fetch' && request.method() === 'GET' && new URL(request.url()).pathname === jobPath)
      looks.push(Date.now());
  });
  return looks;
}

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test.serial(
  'an NDJSON file imported from the explorer is followed live to 100%, with the counts the API reports',
  async (t) => {
    const page = await openExplorer(t, browser, server.url, '/imports', { token: agent });
    const form = page.getByRole('form', { name: 'Import tickets' });
    const text = ndjson(2000, [7, 1500], 'from-file');
    await form
      .getByLabel('Or send a file (.json or .ndjson)')
      .setInputFiles({ name: 'tickets.ndjson', mimeType: '', buffer: Buffer.from(text) });
    await form.getByText('Sends tickets.ndjson (').waitFor();
    t.true(await form.getByLabel(/^Tickets/).isDisabled(), 'the chosen file is the body, not the text area');

    const posted = page.waitForResponse((response) => response.request().method() === 'POST');
    await form.getByRole('button', { name: 'Import tickets' }).click();
    const answer = await posted;
    const location = hrefPath((await answer.headerValue('location'))!);
    const release = await runElsewhere(location); // the job cannot end while the page is looked at
    try {
      t.is(answer.status(), 202);
      t.is(answer.request().headers()['content-type'], 'application/x-ndjson', 'the file’s extension names its type');
      t.is(answer.request().postData(), text, 'the file is sent as it is');
      t.regex(location, /^\/imports\/\d+$/);
      const looks = looksAt(page, location);

      // The 202's Location is followed: the job's page, which looks again as Retry-After says.
      await page.waitForURL((url) => url.pathname === location);
      await heading(page, `Import ${location.split('/').pop()}`).waitFor();
      await page.getByRole('status', { name: 'Outcome' }).getByText('202 Accepted').first().waitFor();
      const bar = page.getByRole('progressbar');
      t.true(Number(await bar.getAttribute('value')) < 100, 'held: not finished');
      await until(() => looks.length >= 2, 'two looks at the job while it is held');
      const gap = looks[1]! - looks[0]!;
      t.true(gap >= 900, `looked again after Retry-After (1 s), not at once: ${gap} ms`);
    } finally {
      await release();
    }

    const progress = page.getByRole('region', { name: /^Progress/ });
    await progress.getByText('2,000 of 2,000 rows').waitFor({ timeout: 30_000 });
    t.is(await page.getByRole('progressbar').getAttribute('value'), '100');
    const job = (await (await server.fetch(pathOf(page))).json()) as ImportBody;
    t.like(job, { state: 'done', progress: { total: 2000, processed: 2000, created: 1998, rejected: 2 } });
    await progress
      .getByRole('listitem')
      .filter({ hasText: /^100%$/ })
      .waitFor();
    await progress
      .getByRole('listitem')
      .filter({ hasText: /^[\d,]+ rows\/s$/ })
      .waitFor();
    await progress.getByText('Done. 1,998 created, 2 rejected.').waitFor();
    t.is(await progress.getByText(/left$/).count(), 0, 'nothing left to wait for');

    // Then on to what it made, and what it refused.
    await progress.getByRole('link', { name: 'Rejected rows (2)' }).click();
    await heading(page, 'rejections').waitFor();
    const rows = page.getByRole('region', { name: 'Embedded rejections' }).getByRole('listitem');
    t.is(await rows.count(), 2);
    t.regex(
      (await rows.first().textContent()) ?? '',
      /Row 7.*Title must not be blank/,
      'a refused row says its problem without being opened',
    );
    noScriptErrors(t, page);
  },
);

test.serial('a job page left mid-job stops looking at the job', async (t) => {
  const submitted = await server.fetch('/imports', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-ndjson' },
    body: ndjson(2000, [], 'left'),
  });
  const location = hrefPath(submitted.headers.get('location')!);
  const release = await runElsewhere(location);
  try {
    const page = await openExplorer(t, browser, server.url, location, { token: agent, bypassCSP: true });
    const looks = looksAt(page, location);
    await until(() => looks.length >= 2, 'two looks at the job');
    t.deepEqual(await axeViolations(page), [], 'a running job’s page is accessible too');
    t.is(await page.getByRole('progressbar', { name: /^Progress running/ }).count(), 1, 'the bar is named');
    t.is(((await (await server.fetch(location)).json()) as ImportBody).state, 'running');

    await page.getByRole('link', { name: 'Open collection' }).click();
    await heading(page, 'imports').waitFor();
    const after = looks.length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    t.is(looks.length, after, 'no look at the job after the page was left');
    noScriptErrors(t, page);
  } finally {
    await release();
  }
});
