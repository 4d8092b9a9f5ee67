// The explorer on a server mounted under BASE_PATH=/kb: its page is served at the mounted URLs only, its files
// load from under the mount, and the page tells the script where the mounted home document and explorer are.
import test from 'ava';
import { type ServerProcess, spawnServerWithDatabase } from '../helpers/process.ts';
import { json } from '../helpers/server.ts';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';
const SHELL_MARK = '<div id="explorer">';

let server: ServerProcess & { close(): Promise<void> };
/** A browser opening a URL: no Authorization, and HTML first. */
const browser = (path: string, init: RequestInit = {}) =>
  fetch(new URL(path, server.url), { redirect: 'manual', ...init, headers: { Accept: BROWSER, ...init.headers } });

test.before(async () => {
  server = await spawnServerWithDatabase({ BASE_PATH: '/kb' });
  const created = await server.fetch(
    '/kb/tickets',
    json('POST', { title: 'Printer on fire', requester: 'ann@customers.example' }),
  );
  if (created.status !== 201) throw new Error(`reporting a ticket: ${created.status} ${await created.text()}`);
});
test.after.always(() => server?.close());

/** Every src and href in a page, and the data attributes its body carries. */
function referencesOf(page: string): { references: string[]; home: string | undefined; explorer: string | undefined } {
  const references = [...page.matchAll(/(?:src|href)="([^"]*)"/g)]
    .map((match) => match[1]!)
    .filter((reference) => !reference.startsWith('data:'));
  const body = /<body([^>]*)>/.exec(page)?.[1] ?? '';
  return {
    references,
    home: /data-home="([^"]*)"/.exec(body)?.[1],
    explorer: /data-explorer="([^"]*)"/.exec(body)?.[1],
  };
}

test('a browser opening a mounted API URL gets the explorer page, and the page names the mounted home and explorer', async (t) => {
  for (const path of [
    '/kb/',
    '/kb/faqs',
    '/kb/tickets/1',
    '/kb/explorer',
    '/kb/explorer?url=%2Fkb%2Ftickets%2F1',
    '/kb/no/such/thing',
  ]) {
    const response = await browser(path);
    t.is(response.status, 200, path);
    t.is(response.headers.get('content-type'), 'text/html; charset=utf-8', path);
    const page = await response.text();
    t.true(page.includes(SHELL_MARK), path);
    const { references, home, explorer } = referencesOf(page);
    t.is(home, '/kb/', path);
    t.is(explorer, '/kb/explorer{?url}', path);
    t.is(references.length, 2, path);
    for (const reference of references)
      t.regex(reference, /^\/kb\/explorer\/assets\/explorer-[A-Z0-9]{8}\.(js|css)$/, path);
  }
});

test('the page’s files load from under the mount, with their types', async (t) => {
  const { references } = referencesOf(await (await browser('/kb/')).text());
  t.deepEqual(references.map((path) => /\.(js|css)$/.exec(path)?.[1]).sort(), ['css', 'js']);
  for (const path of references) {
    const response = await browser(path, { headers: { Accept: '*/*' } });
    t.is(response.status, 200, path);
    t.is(
      response.headers.get('content-type'),
      path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      path,
    );
    t.true((await response.arrayBuffer()).byteLength > 1000, path);
  }
});

test('JSON clients at the mounted URLs still get HAL, whose links stay under the mount', async (t) => {
  const response = await fetch(new URL('/kb/', server.url), { headers: { Accept: 'application/hal+json' } });
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/hal+json');
  const home = (await response.json()) as { _links: Record<string, { href: string } | { href: string }[]> };
  const hrefs = Object.values(home._links)
    .flat()
    .map((link) => link.href);
  t.true(hrefs.length > 0);
  for (const href of hrefs) t.true(href.startsWith(new URL('/kb/', server.url).href), href);
});

test('outside the mount there is no explorer: its unmounted page and files are 404 problems', async (t) => {
  const { references } = referencesOf(await (await browser('/kb/')).text());
  const unmounted = references.map((path) => path.replace(/^\/kb/, ''));
  for (const path of ['/', '/explorer', '/tickets/1', ...unmounted]) {
    const response = await browser(path);
    t.is(response.status, 404, path);
    t.is(response.headers.get('content-type'), 'application/problem+json', path);
    t.false((await response.text()).includes(SHELL_MARK), path);
  }
});

test('the human pages (relations, problems, deprecations) link to the mounted home document', async (t) => {
  const pages = ['/kb/rels/promote', '/kb/problems/not-found', '/kb/docs/deprecations/faq-v1'];
  for (const path of pages) {
    const response = await fetch(new URL(path, server.url), { headers: { Accept: 'text/html' } });
    t.is(response.status, 200, path);
    const page = await response.text();
    const links = [...page.matchAll(/href="([^"]*)"/g)].map((match) => match[1]!);
    t.true(links.includes('/kb/'), `${path} links the mounted home`);
    t.false(links.includes('/'), `${path} links no home outside the mount`);
    t.false(/<code>\/v1\//.test(page), `${path} names no path outside the mount`);
  }
});
