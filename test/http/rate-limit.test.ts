// Limits on abuse: past the configured count a token (or, without one, an address) gets 429 with Retry-After
// and RateLimit headers; other callers are unaffected; and instances on one database share the counts.
import { request } from 'node:http';
import test, { type ExecutionContext } from 'ava';
import { mintToken } from '../helpers/access-fixtures.ts';
import { assertProblem, problemKind } from '../helpers/access-problems.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { parseExposition, valueOf } from '../helpers/metrics.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const LIMITS = { RATE_LIMIT: '5/60', ANONYMOUS_RATE_LIMIT: '3/60' };

/** Each test gets servers of its own, so that no other test's requests count against its limits. */
async function withServer(t: ExecutionContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ ...LIMITS, ...env });
  t.teardown(() => server.close());
  return server;
}

async function assertLimited(t: ExecutionContext, response: Response, policy: string) {
  const problem = await assertProblem(t, response, 429);
  t.is(problemKind(problem), 'too-many-requests');
  const retryAfter = response.headers.get('retry-after') ?? '';
  t.regex(retryAfter, /^[1-9]\d*$/);
  t.true(Number(retryAfter) <= 60);
  t.is(response.headers.get('ratelimit-policy'), policy);
  t.regex(response.headers.get('ratelimit') ?? '', /^limit=\d+, remaining=0, reset=[1-9]\d*$/);
}

/** An anonymous GET from another loopback address than fetch uses, to be another client for per-address limits. */
function getFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a token past its limit gets 429 with Retry-After and RateLimit headers, while another token still passes', async (t) => {
  const server = await withServer(t);
  const [limited, other] = await Promise.all([mintToken(server, 'agent'), mintToken(server, 'agent')]);
  for (let n = 1; n <= 5; n++) {
    const response = await server.as(limited.secret).fetch('/tickets');
    t.is(response.status, 200);
    t.is(response.headers.get('ratelimit-policy'), '5;w=60');
    t.regex(response.headers.get('ratelimit') ?? '', new RegExp(`^limit=5, remaining=${5 - n}, reset=[1-9]\\d*$`));
  }
  await assertLimited(t, await server.as(limited.secret).fetch('/tickets'), '5;w=60');
  // Every route counts, reads and writes alike.
  await assertLimited(t, await server.as(limited.secret).fetch('/'), '5;w=60');
  t.is((await server.as(other.secret).fetch('/tickets')).status, 200);
  t.is((await server.as(null).fetch('/')).status, 200);
});

test('anonymous callers are limited per address: past it one address gets 429, another still passes', async (t) => {
  const server = await withServer(t);
  for (let n = 1; n <= 3; n++) t.is((await server.as(null).fetch('/faqs')).status, 200);
  await assertLimited(t, await server.as(null).fetch('/faqs'), '3;w=60');
  t.is(await getFrom('127.0.0.2', `${server.url}/faqs`), 200);
  // A token is counted apart from the address it comes from.
  t.is((await server.fetch('/faqs')).status, 200);
});

test('two instances on one database share the counts: together they trip the limit', async (t) => {
  // Counts live in the database (SQLite: a side file beside it; PostgreSQL: a table in it), so they are shared.
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const shared = { DATABASE_URL: database.url, ADMIN_TOKEN: `shared-admin-${'s'.repeat(32)}` };
  // One after the other: the first creates the schema.
  const first = await withServer(t, shared);
  const second = await withServer(t, shared);
  for (const server of [first, second, first, second, first]) t.is((await server.fetch('/')).status, 200);
  await assertLimited(t, await second.fetch('/'), '5;w=60');
  await assertLimited(t, await first.fetch('/'), '5;w=60');

  for (const server of [first, second, first]) t.is((await server.as(null).fetch('/')).status, 200);
  await assertLimited(t, await second.as(null).fetch('/'), '3;w=60');
});

test('each refusal is counted by what was limited (token or address), and under the route it was asked of', async (t) => {
  const server = await withServer(t);
  const agent = await mintToken(server, 'agent');
  const statuses: number[] = [];
  for (let n = 1; n <= 7; n++) statuses.push((await server.as(agent.secret).fetch('/tickets')).status);
  for (let n = 1; n <= 4; n++) statuses.push((await server.as(null).fetch('/faqs')).status);
  t.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 200, 200, 200, 429]);
  // The admin's second request of the window: within its own limit.
  const scrape = await server.fetch('/metrics');
  t.is(scrape.status, 200);
  const samples = parseExposition(await scrape.text());
  t.is(valueOf(samples, 'helpdesk_rate_limit_refusals_total', { kind: 'token' }), 2);
  t.is(valueOf(samples, 'helpdesk_rate_limit_refusals_total', { kind: 'address' }), 1);
  t.is(
    valueOf(samples, 'http_requests_total', {
      route: '/tickets',
      method: 'GET',
      status: '429',
      api_version: 'current',
    }),
    2,
  );
  t.is(
    valueOf(samples, 'http_requests_total', { route: '/faqs', method: 'GET', status: '429', api_version: 'current' }),
    1,
  );
});
