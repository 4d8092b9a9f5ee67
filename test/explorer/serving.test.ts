import test from 'ava';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

const BROWSER =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
const KETTING =
  'application/prs.hal-forms+json;q=1.0, application/hal+json;q=0.9, application/json;q=0.7, text/html;q=0.6';
const SHELL_MARK = '<div id="explorer">';

let server: TestServer;
let browser: TestServer['fetch'];
test.before(async () => {
  server = await startTestServer();
  browser = server.as(null).fetch; // a browser opening a URL sends no Authorization
  for (const title of ['Printer on fire', 'Mouse squeaks'])
    await server.fetch('/tickets', json('POST', { title, requester: 'ann@customers.example' }));
});
test.after.always(() => server.close());

const mediaType = (response: Response) => response.headers.get('content-type')?.split(';')[0];
const varyOf = (response: Response) =>
  (response.headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase());

async function shell(path = '/explorer'): Promise<string> {
  return (await browser(path, { headers: { Accept: BROWSER } })).text();
}

function assetPaths(page: string): string[] {
  return [...page.matchAll(/(?:src|href)="(\/explorer\/assets\/[^"]+)"/g)].map((match) => match[1]!);
}

test('a browser opening an API URL gets the explorer page, with Vary: Accept and a policy that allows only this server', async (t) => {
  for (const path of ['/', '/tickets', '/tickets/1', '/faqs?size=2', '/v1/faqs', '/no/such/thing']) {
    const response = await browser(path, { headers: { Accept: BROWSER } });
    t.is(response.status, 200, path);
    t.is(response.headers.get('content-type'), 'text/html; charset=utf-8', path);
    t.true(varyOf(response).includes('accept'), path);
    t.regex(response.headers.get('content-security-policy') ?? '', /default-src 'none'.*connect-src 'self'/, path);
    t.is(response.headers.get('cache-control'), 'no-cache', path);
    const page = await response.text();
    t.true(page.includes(SHELL_MARK), path);
    t.is(assetPaths(page).length, 2, path);
  }
});

test('JSON clients are unaffected: */*, no Accept, HAL, JSON, HAL-FORMS and Ketting’s Accept (text/html last) all get JSON', async (t) => {
  for (const path of ['/', '/tickets', '/tickets/1']) {
    const plain = await server.fetch(path, { headers: { Accept: 'application/hal+json' } });
    const reference = await plain.json();
    t.true(varyOf(plain).includes('accept'));
    for (const accept of ['*/*', '', 'application/json', 'application/hal+json']) {
      const response = await server.fetch(path, { headers: accept === '' ? {} : { Accept: accept } });
      t.is(response.status, 200, `${path} ${accept}`);
      t.is(
        mediaType(response),
        accept === 'application/json' ? 'application/json' : 'application/hal+json',
        `${path} ${accept}`,
      );
      t.true(varyOf(response).includes('accept'), `${path} ${accept}`);
      t.deepEqual(await response.json(), reference, `${path} ${accept}`);
    }
    for (const accept of ['application/prs.hal-forms+json', KETTING]) {
      const response = await server.fetch(path, { headers: { Accept: accept } });
      t.is(mediaType(response), 'application/prs.hal-forms+json', `${path} ${accept}`);
      const { _templates: _, ...rest } = (await response.json()) as Record<string, unknown>;
      t.deepEqual(rest, reference, `${path} ${accept}`);
    }
  }
});

test('a HEAD from a browser gets the page’s headers and no body', async (t) => {
  const response = await browser('/tickets/1', { method: 'HEAD', headers: { Accept: BROWSER } });
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'text/html; charset=utf-8');
  t.is(await response.text(), '');
});

test('the page is revalidated by ETag: a browser with the current copy gets 304', async (t) => {
  const first = await browser('/tickets', { headers: { Accept: BROWSER } });
  const etag = first.headers.get('etag');
  t.truthy(etag);
  // What a browser sends when it reloads (fetch itself would add `Cache-Control: no-cache`, which forbids a 304).
  const again = await browser('/faqs', {
    headers: { Accept: BROWSER, 'If-None-Match': etag!, 'Cache-Control': 'max-age=0' },
  });
  t.is(again.status, 304, 'the page is the same at every URL');
});

// Serial (run before the others): it adds a ticket, which would change /tickets under a test comparing its answers.
test.serial(
  'only reads get the page: a POST with a browser’s Accept reaches the API and gets its JSON answer',
  async (t) => {
    const count = async () =>
      ((await (await server.fetch('/tickets')).json()) as { page: { totalElements: number } }).page.totalElements;
    const before = await count();
    const response = await server.fetch(
      '/tickets',
      json('POST', { title: 'Sent by a form', requester: 'ann@customers.example' }, { Accept: BROWSER }),
    );
    t.is(response.status, 201);
    t.is(mediaType(response), 'application/hal+json');
    t.is(((await response.json()) as { title: string }).title, 'Sent by a form');
    t.is(await count(), before + 1);
  },
);

test('pages for people keep their own HTML: relation, problem and deprecation pages', async (t) => {
  for (const [path, heading] of [
    ['/rels/tickets', '<h1>Relation: tickets</h1>'],
    ['/problems/not-found', '<h1>Not found</h1>'],
    ['/docs/deprecations/faq-v1', '<h1>FAQ contract v1 is deprecated</h1>'],
  ] as const) {
    const response = await browser(path, { headers: { Accept: BROWSER } });
    t.is(response.status, 200, path);
    const page = await response.text();
    t.true(page.includes(heading), path);
    t.false(page.includes(SHELL_MARK), path);
  }
});

test('schemas and metrics answer a browser as they did: with their own media types', async (t) => {
  const schema = await browser('/schemas/ticket', { headers: { Accept: BROWSER } });
  t.is(mediaType(schema), 'application/schema+json');
  t.is(((await schema.json()) as { title: string }).title, 'Ticket');
  // Metrics are for operators: an admin's browser (the default fetch sends the admin token).
  const metrics = await server.fetch('/metrics', { headers: { Accept: BROWSER } });
  t.regex(metrics.headers.get('content-type') ?? '', /^text\/plain/);
  t.false((await metrics.text()).includes(SHELL_MARK));
});

test('/explorer serves the page, with or without a URL to open; asked for JSON it is a 406 problem', async (t) => {
  for (const path of ['/explorer', '/explorer?url=%2Ftickets%2F1']) {
    const response = await browser(path, { headers: { Accept: BROWSER } });
    t.is(response.status, 200, path);
    t.true((await response.text()).includes(SHELL_MARK), path);
  }
  const asJson = await browser('/explorer', { headers: { Accept: 'application/json' } });
  t.is(asJson.status, 406);
  t.is(asJson.headers.get('content-type'), 'application/problem+json');
});

test('the explorer’s files are served with their types, an ETag and a year of caching; a name from another build is 404', async (t) => {
  const paths = assetPaths(await shell());
  t.deepEqual(paths.map((path) => /\.(js|css)$/.exec(path)?.[1]).sort(), ['css', 'js']);
  for (const path of paths) {
    t.regex(path, /^\/explorer\/assets\/explorer-[A-Z0-9]{8}\.(js|css)$/, 'the name carries a content hash');
    const response = await browser(path, { headers: { Accept: '*/*' } });
    t.is(response.status, 200, path);
    t.is(
      response.headers.get('content-type'),
      path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    );
    t.is(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    t.true((await response.arrayBuffer()).byteLength > 1000, path);
    const etag = response.headers.get('etag');
    t.truthy(etag);
    t.is(
      (await browser(path, { headers: { 'If-None-Match': etag!, 'Cache-Control': 'max-age=0' } })).status,
      304,
      path,
    );
  }
  const stale = await browser('/explorer/assets/explorer-AAAAAAAA.js');
  t.is(stale.status, 404);
  t.is(stale.headers.get('content-type'), 'application/problem+json');
});

test('nothing the explorer loads or refers to lives on another host', async (t) => {
  const page = await shell('/tickets/1');
  const references = [...page.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1]!);
  t.true(references.length >= 3);
  for (const reference of references) t.regex(reference, /^(\/|data:)/, reference);
  for (const text of [
    page,
    ...(await Promise.all(assetPaths(page).map(async (path) => (await browser(path)).text()))),
  ]) {
    t.deepEqual(text.match(/https?:\/\/[^\s"')]*/g) ?? [], []);
    t.false(/@import|url\((?!["']?data:)/.test(text), 'no stylesheet imports or outside images');
  }
});
