// A GET the same as one answered from the answer cache since the last committed write is given that answer again
// without the middleware chain (src/http/replay.ts). Given again or made by the chain, the answer is the same; it
// never outlives a write, a revoked token, or the rate limit; and it is never given to a request that differs in
// anything the answer can depend on.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { REPLAYABLE_HEADERS } from '../../src/http/replay.ts';
import { PROJECT_ROOT } from '../../src/project.ts';
import { testEngine } from '../helpers/database.ts';
import { parseExposition, sumOf } from '../helpers/metrics.ts';
import { createTicket, unique } from '../helpers/seed.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

/** Only SQLite keeps answers (PostgreSQL: see docs/performance.md), so only there are answers given again. */
const keeps = testEngine === 'sqlite';

/** Answers given again so far; as the admin, or as the scraper (METRICS_TOKEN) once the admin is out of requests. */
async function replays(server: TestServer, token = server.adminToken): Promise<number> {
  const response = await server.as(token).fetch('/metrics', { headers: { Accept: 'text/plain' } });
  const text = await response.text();
  return sumOf(parseExposition(text), 'helpdesk_answer_cache_replays_total');
}

/** An answer's status, bytes and headers, but those made for each request (its id, date, rate-limit standing). */
async function comparable(response: Response) {
  const perRequest = new Set(['x-request-id', 'date', 'ratelimit', 'keep-alive']);
  const headers = [...response.headers].filter(([name]) => !perRequest.has(name));
  return { status: response.status, body: await response.text(), headers };
}

const SCRAPER = `scraper-${randomBytes(24).toString('hex')}`;

// Not a header any client sends, nor one the server reads: a request carrying it goes down the chain.
const THROUGH_THE_CHAIN = { 'X-Trace': 'chain' };

test('a GET the same as one answered from a kept copy gets that answer again: status, headers and bytes as the chain gives them', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const ticket = await createTicket(server, { title: unique('Toner smudges') });
  for (const [path, accept] of [
    [ticket.location, 'application/hal+json'],
    [ticket.location, 'application/prs.hal-forms+json'],
    ['/tickets?size=5', 'application/hal+json'],
    [`/search?q=${encodeURIComponent('toner')}`, 'application/hal+json'],
  ] as const) {
    const headers = { Accept: accept };
    await server.fetch(path, { headers }); // made, kept, and noted as given to this request
    const before = await replays(server);
    const again = await comparable(await server.fetch(path, { headers }));
    t.is(await replays(server), before + (keeps ? 1 : 0), `${path} (${accept}) was given again`);
    const chain = await comparable(await server.fetch(path, { headers: { ...headers, ...THROUGH_THE_CHAIN } }));
    t.is(await replays(server), before + (keeps ? 1 : 0), 'a request with another header took the chain');
    t.deepEqual(again, chain, `${path} (${accept})`);
    t.is(again.status, 200);
  }
});

test('after a write is acknowledged, the same GET is answered anew', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const ticket = await createTicket(server, { title: 'Before' });
  await server.fetch(ticket.location);
  t.is(((await (await server.fetch(ticket.location)).json()) as { title: string }).title, 'Before');
  t.is((await server.fetch(ticket.location, json('PATCH', { title: 'After' }))).status, 200);
  const before = await replays(server);
  t.is(((await (await server.fetch(ticket.location)).json()) as { title: string }).title, 'After');
  t.is(await replays(server), before, 'not given again: the write dropped it');
});

test('another caller, another media type or another host never gets the answer given to the first', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const ticket = await createTicket(server);
  const stranger = await server.mint('requester'); // before the admin's reads: minting is a write
  for (let i = 0; i < 2; i++) await server.fetch(ticket.location);
  const given = await replays(server);
  // A requester who did not report the ticket may not see it, whatever the admin was given.
  t.is((await server.as(stranger).fetch(ticket.location)).status, 404);
  t.is((await server.as(null).fetch(ticket.location)).status, 401);
  const forms = await server.fetch(ticket.location, { headers: { Accept: 'application/prs.hal-forms+json' } });
  t.is(forms.headers.get('content-type'), 'application/prs.hal-forms+json');
  // The same request on another of the server's hosts: links on that host, not on the first.
  const port = new URL(server.url).port;
  const elsewhere = await fetch(`http://localhost:${port}${new URL(ticket.location).pathname}`, {
    headers: { Authorization: `Bearer ${server.adminToken}` },
  });
  const self = ((await elsewhere.json()) as { _links: { self: { href: string } } })._links.self.href;
  t.true(self.startsWith(`http://localhost:${port}/`), self);
  t.is(await replays(server), given, 'none of them was given the admin’s answer');
});

test('a token revoked after it was given an answer is refused at once', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const ticket = await createTicket(server);
  const minted = await server.fetch('/tokens', json('POST', { name: unique('agent'), role: 'agent' }));
  const { secret } = (await minted.json()) as { secret: string };
  const agent = server.as(secret);
  for (let i = 0; i < 2; i++) t.is((await agent.fetch(ticket.location)).status, 200);
  t.is((await server.fetch(minted.headers.get('location')!, { method: 'DELETE' })).status, 204);
  t.is((await agent.fetch(ticket.location)).status, 401);
});

test('every answer given again is counted against the caller’s rate limit', async (t) => {
  // 200 a minute: points are held here two at a time, so half the answers can be given again.
  const server = await startTestServer({ RATE_LIMIT: '200/60', METRICS_TOKEN: SCRAPER });
  t.teardown(() => server.close());
  const ticket = await createTicket(server);
  const remaining: number[] = [];
  for (;;) {
    const response = await server.fetch(ticket.location);
    if (response.status === 429) break;
    t.is(response.status, 200);
    remaining.push(Number(/remaining=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1]));
    if (remaining.length > 200) break;
  }
  // The create used one point; every GET after it one more, whether given again or made.
  t.deepEqual(
    remaining,
    Array.from({ length: 199 }, (_, i) => 198 - i),
  );
  if (keeps) t.true((await replays(server, SCRAPER)) > 0, 'some were given again');
});

test('every request header the server reads is either in the signature or takes the chain', (t) => {
  const readers = /(?:ctx|request)\.get\('([A-Za-z-]+)'\)|headers\[['"]([a-z-]+)['"]\]/g;
  const read = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'explorer') walk(path);
      else if (entry.name.endsWith('.ts'))
        for (const [, a, b] of readFileSync(path, 'utf8').matchAll(readers)) read.add((a ?? b)!.toLowerCase());
    }
  };
  walk(join(PROJECT_ROOT, 'src'));
  t.true(read.has('if-none-match') && read.has('origin'), 'the scan finds what the server reads');
  const signed = new Set(['host', 'accept', 'authorization', 'x-request-id', 'user-agent']);
  const unsafe = [...read].filter((name) => !signed.has(name) && REPLAYABLE_HEADERS.includes(name));
  t.deepEqual(unsafe, []);
});
