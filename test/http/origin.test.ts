// Every address the API writes is absolute on the request's public origin: PUBLIC_URL's, or else a host the
// server answers to (ALLOWED_HOSTS), read from X-Forwarded-* only behind a trusted proxy. A request naming any
// other host is refused before authentication, and nothing answered or stored ever holds that host.
import test from 'ava';
import { type RawAnswer, crawlAddresses, documentAddresses, rawRequest, strays } from '../helpers/addresses.ts';
import { withoutOrigin } from '../helpers/hal.ts';
import { HAL_FORMS, type HalDocument, linkOf } from '../helpers/hypermedia.ts';
import { expectProblem } from '../helpers/problem.ts';
import { createTicket, getJson } from '../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../helpers/server.ts';

const EVIL = 'evil.example';

let server: TestServer;
let port: string;
test.before(async () => {
  server = await startTestServer();
  port = new URL(server.url).port;
});
test.after.always(() => server.close());

/** A request to the test server naming `host` (fetch cannot: it writes the URL's host). */
function naming(
  host: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return rawRequest(new URL(path, server.url).href, {
    ...init,
    headers: { Host: host, Accept: 'application/hal+json', ...init.headers },
  });
}

const asAdmin = (token: string) => ({ Authorization: `Bearer ${token}` });

async function ticketCount(): Promise<number> {
  return Number(
    (
      await server.inspect((db) =>
        db
          .selectFrom('tickets')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow(),
      )
    ).n,
  );
}

test('a request naming a host the server does not answer to is 421, before authentication, and the answer never names that host', async (t) => {
  for (const host of [
    EVIL,
    `${EVIL}:${port}`,
    `localhost.${EVIL}`,
    `localhost@${EVIL}`,
    `127.0.0.1.${EVIL}`,
    `${EVIL}/tickets`,
  ]) {
    for (const headers of [asAdmin(server.adminToken), { Authorization: 'Bearer not-a-token-at-all-0000' }, {}]) {
      const answer = await naming(host, '/tickets', { headers });
      t.is(answer.status, 421, `${host} ${JSON.stringify(headers)}`);
      t.is(answer.headers['content-type'], 'application/problem+json');
      const problem = JSON.parse(answer.text) as { type: string; instance: string; status: number };
      t.is(problem.status, 421);
      // Its own type is on where the socket was reached, never on the host the request named.
      t.is(problem.type, server.at('/problems/misdirected-request'));
      t.false(`${answer.text}${JSON.stringify(answer.headers)}`.includes(EVIL), host);
    }
  }
  const page = await server.fetch('/problems/misdirected-request', { headers: { Accept: 'text/html' } });
  t.is(page.status, 200, 'the problem type is documented');
});

test('the probes answer whatever host names them (orchestrators probe by address), and build nothing from it', async (t) => {
  for (const path of ['/health', '/ready']) {
    const answer = await naming(`10.1.2.3:${port}`, path, { headers: { Accept: 'application/health+json' } });
    t.is(answer.status, 200, path);
    t.false(answer.text.includes('10.1.2.3'));
  }
  t.is(
    (await naming(`10.1.2.3:${port}`, '/metrics', { headers: { Accept: 'text/plain' } })).status,
    421,
    'everything else is refused',
  );
});

test.serial('a write naming a host not allowed is 421 and creates nothing', async (t) => {
  const before = await ticketCount();
  const answer = await naming(EVIL, '/tickets', {
    method: 'POST',
    headers: { ...asAdmin(server.adminToken), 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Sent to a forged host', requester: 'r@example.com' }),
  });
  t.is(answer.status, 421);
  t.is(answer.headers.location, undefined);
  t.is(await ticketCount(), before);
});

test('an allowed host gets every address on itself, and its own version tags and kept answers', async (t) => {
  const ticket = await createTicket(server, { title: 'Seen from two hosts' });
  const path = new URL(ticket.location).pathname;
  const viaLoopback = await naming(`127.0.0.1:${port}`, path, { headers: asAdmin(server.adminToken) });
  const viaName = await naming(`localhost:${port}`, path, { headers: asAdmin(server.adminToken) });
  t.is(linkOf(JSON.parse(viaLoopback.text) as HalDocument, 'self').href, `http://127.0.0.1:${port}${path}`);
  t.is(linkOf(JSON.parse(viaName.text) as HalDocument, 'self').href, `http://localhost:${port}${path}`);
  t.false(viaName.text.includes('127.0.0.1'), 'no address of the other origin');
  // The same version, built for two origins: two representations, two tags, and one is no proof of the other.
  t.is(withoutOrigin(viaLoopback.headers.etag as string), withoutOrigin(viaName.headers.etag as string));
  t.not(viaLoopback.headers.etag, viaName.headers.etag);
  const revalidated = await naming(`localhost:${port}`, path, {
    headers: { ...asAdmin(server.adminToken), 'If-None-Match': viaLoopback.headers.etag as string },
  });
  t.is(revalidated.status, 200);
  t.true(revalidated.text.includes(`http://localhost:${port}/`));
  // Kept answers (a collection page) are kept per origin: each host is answered with its own addresses.
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `localhost:${port}`]) {
    const page = await naming(host, '/tickets?size=2', { headers: asAdmin(server.adminToken) });
    t.is(page.status, 200);
    t.is(linkOf(JSON.parse(page.text) as HalDocument, 'self').href, `http://${host}/tickets?page=1&size=2`);
    t.true(String(page.headers.link).startsWith(`<http://${host}/tickets?`), String(page.headers.link));
  }
});

test('hosts taking turns each get their own origin, however often each was seen, and a refused host stays refused', async (t) => {
  // Origins are worked out once per host and kept: what was kept for one host must never answer another.
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, EVIL, `LOCALHOST:${port}`, `${EVIL}:${port}`];
  for (let round = 0; round < 3; round++) {
    for (const host of hosts) {
      const answer = await naming(host, '/', { headers: asAdmin(server.adminToken) });
      if (host.startsWith(EVIL)) {
        t.is(answer.status, 421, host);
        t.false(answer.text.includes(EVIL), host);
        continue;
      }
      t.is(answer.status, 200, host);
      const origin = `http://${host.toLowerCase()}`;
      t.is(linkOf(JSON.parse(answer.text) as HalDocument, 'self').href, `${origin}/`, host);
      t.deepEqual(strays(documentAddresses(JSON.parse(answer.text) as HalDocument), [origin]), [], host);
      t.true(String(answer.headers.link ?? `<${origin}/`).startsWith(`<${origin}/`), host);
    }
  }
});

test('without a trusted proxy, X-Forwarded-Host and X-Forwarded-Proto are ignored', async (t) => {
  const answer = await naming(`127.0.0.1:${port}`, '/', {
    headers: { ...asAdmin(server.adminToken), 'X-Forwarded-Host': EVIL, 'X-Forwarded-Proto': 'https' },
  });
  t.is(answer.status, 200);
  t.is(linkOf(JSON.parse(answer.text) as HalDocument, 'self').href, `http://127.0.0.1:${port}/`);
  t.false(answer.text.includes(EVIL));
  const created = await naming(`127.0.0.1:${port}`, '/tickets', {
    method: 'POST',
    headers: { ...asAdmin(server.adminToken), 'Content-Type': 'application/json', 'X-Forwarded-Host': EVIL },
    body: JSON.stringify({ title: 'Forwarded by nobody', requester: 'r@example.com' }),
  });
  t.is(created.status, 201);
  t.true(String(created.headers.location).startsWith(`http://127.0.0.1:${port}/tickets/`));
});

test('requests name resources by id, path or absolute URI of this server; a URI of another host is 400 and changes nothing', async (t) => {
  const survivor = await createTicket(server, { title: 'Survivor by absolute URI' });
  const other = await createTicket(server, { title: 'Merged by absolute URI' });
  const foreign = `http://${EVIL}${new URL(survivor.location).pathname}`;
  const refused = await server.fetch(`${other.location}/merge`, json('POST', { into: foreign }));
  const problem = await expectProblem(t, refused, 400);
  t.false(`${problem.type} ${problem.instance}`.includes(EVIL));
  t.is((await getJson<{ status: string }>(server, other.location)).body.status, 'open');
  const merged = await server.fetch(`${other.location}/merge`, json('POST', { into: survivor.location }));
  t.is(merged.status, 200);
  t.is(merged.headers.get('content-location'), survivor.location);
});

test('problems carry an absolute type and instance', async (t) => {
  const problem = await expectProblem(t, await server.fetch('/tickets/999999'), 404);
  t.is(problem.type, server.at('/problems/not-found'));
  t.is(problem.instance, server.at('/tickets/999999'));
});

test('a crawl from the home document finds every address absolute on the origin it was asked at', async (t) => {
  await createTicket(server, { title: 'Crawled' });
  const origin = new URL(server.url).origin;
  const { addresses, answers } = await crawlAddresses(`${origin}/`, server.adminToken, [origin]);
  t.true(answers > 10, `${answers} answers`);
  t.true(addresses.length > 100);
  t.deepEqual(strays(addresses, [origin]), []);
});

test('behind a trusted proxy, the forwarded proto and host are used, and must be allowed too', async (t) => {
  const proxied = await startTestServer({ TRUST_PROXY: 'true', ALLOWED_HOSTS: 'desk.example,localhost,127.0.0.1' });
  t.teardown(() => proxied.close());
  const url = new URL('/', proxied.url).href;
  const forwarded = await rawRequest(url, {
    headers: {
      Host: new URL(proxied.url).host,
      'X-Forwarded-Host': 'desk.example',
      'X-Forwarded-Proto': 'https',
      Accept: HAL_FORMS,
      ...asAdmin(proxied.adminToken),
    },
  });
  t.is(forwarded.status, 200);
  const home = JSON.parse(forwarded.text) as HalDocument;
  t.is(linkOf(home, 'self').href, 'https://desk.example/');
  t.true(linkOf(home, 'tickets').href.startsWith('https://desk.example/tickets{'));
  const misforwarded = await rawRequest(url, {
    headers: { Host: new URL(proxied.url).host, 'X-Forwarded-Host': EVIL, ...asAdmin(proxied.adminToken) },
  });
  t.is(misforwarded.status, 421);
  t.false(misforwarded.text.includes(EVIL));
  const badProto = await rawRequest(url, {
    headers: { Host: new URL(proxied.url).host, 'X-Forwarded-Proto': 'javascript', ...asAdmin(proxied.adminToken) },
  });
  t.is(badProto.status, 421);
});

test('with PUBLIC_URL every address is on it, whatever allowed host was asked, and a crawl finds no other', async (t) => {
  const configured = await startTestServer({ PUBLIC_URL: 'https://desk.example:8443/' });
  t.teardown(() => configured.close());
  const origin = 'https://desk.example:8443';
  const created = await configured.fetch('/tickets', json('POST', { title: 'Public', requester: 'p@example.com' }));
  t.is(created.status, 201);
  t.true(created.headers.get('location')!.startsWith(`${origin}/tickets/`));
  // The crawl is sent to the server's own address; every address it reads is the public one (followed there).
  const local = new URL(configured.url).origin;
  const { addresses, answers } = await crawlAddresses(`${local}/`, configured.adminToken, [local]);
  t.is(answers, 1, 'nothing to follow on the local address');
  t.deepEqual(strays(addresses, [origin]), []);
  const viaName = await rawRequest(`${local}/tickets?size=1`, {
    headers: { Host: `localhost:${new URL(configured.url).port}`, ...asAdmin(configured.adminToken) },
  });
  t.true(viaName.text.includes(`"href":"${origin}/tickets?page=1&size=1"`));
  t.false(viaName.text.includes('localhost'));
  // PUBLIC_URL's host is allowed without being listed; others still are not.
  t.is((await rawRequest(`${local}/`, { headers: { Host: 'desk.example:8443' } })).status, 200);
  const refused = await rawRequest(`${local}/`, { headers: { Host: EVIL } });
  t.is(refused.status, 421);
  t.is((JSON.parse(refused.text) as { type: string }).type, `${origin}/problems/misdirected-request`);
});
