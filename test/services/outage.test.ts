// When the FAQ service goes away, and when it answers nonsense: promote says so (503 with Retry-After, 502),
// the circuit opens and stops calling, tickets keep working (with their faqs links: see faq-home.test.ts),
// nothing is half-written in either database, and once the FAQ service is back one probe call closes the
// circuit again.
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer as createHttpServer,
  request as httpRequest,
} from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { createTestDatabase, inspectDatabase } from '../helpers/database.ts';
import { spawnServer } from '../helpers/process.ts';
import { metric, report, startSplitSystem } from '../helpers/services.ts';
import { Walker } from '../helpers/walker.ts';

const CIRCUIT = 'helpdesk_faq_service_circuit';
const SKIPPED = 'helpdesk_faq_service_calls_total{method="GET",outcome="skipped"}';

type SplitSystem = Awaited<ReturnType<typeof startSplitSystem>>;
type Reported = Awaited<ReturnType<typeof report>>;

/** With the circuit open, a promote fails fast: a listener on the FAQ service's port sees no connection at all. */
async function assertOpenCircuitSendsNothing(
  t: ExecutionContext,
  {
    system,
    walker,
    root,
    ticket,
    tcpGuard,
  }: { system: SplitSystem; walker: Walker; root: string; ticket: Reported; tcpGuard: { close?: () => Promise<void> } },
): Promise<void> {
  const port = Number(new URL(system.roots.faqs).port);
  let connections = 0;
  const listener = createTcpServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
  tcpGuard.close = () => new Promise<void>((resolve) => listener.close(() => resolve()));
  const skippedBefore = (await metric(walker, root, SKIPPED)) ?? 0;
  const fast = await walker.submit(ticket, 'promote');
  t.is(fast.status, 503);
  t.is(connections, 0, 'an open circuit fails fast without calling');
  t.true(((await metric(walker, root, SKIPPED)) ?? 0) > skippedBefore);
  await tcpGuard.close();
  tcpGuard.close = undefined;
}

/** Every FAQ names its ticket, one per promoted ticket; the tickets were not touched; no FAQ is in the tickets' database. */
async function assertNothingHalfWritten(
  t: ExecutionContext,
  system: SplitSystem,
  first: Reported,
  second: Reported,
): Promise<void> {
  const faqs = await system.inspect.faqs((db) =>
    db.selectFrom('faqs').select(['question', 'source_uri']).orderBy('id').execute(),
  );
  t.deepEqual(faqs, [
    { question: 'Promoted before the outage', source_uri: first.url },
    { question: 'Promoted after the outage', source_uri: second.url },
  ]);
  const tickets = await system.inspect.tickets((db) =>
    db.selectFrom('tickets').select(['title', 'version']).orderBy('id').execute(),
  );
  t.deepEqual(tickets, [
    { title: 'Promoted before the outage', version: 1 },
    { title: 'Promoted after the outage', version: 1 },
    { title: 'Reported during the outage', version: 1 },
  ]);
  t.is(await system.inspect.tickets(async (db) => (await db.selectFrom('faqs').select('id').execute()).length), 0);
}

/**
 * Between the services, a proxy that passes every call on but answers POSTs only after the ticket service
 * has stopped waiting: the FAQ is made, and the ticket service never hears so. Like a reverse proxy it keeps
 * the Host it was sent (node:http: fetch would replace it), so the FAQ service's links lead through it.
 */
async function lateAnsweringProxy(upstream: URL): Promise<{ proxy: Server; posts: () => number }> {
  let posts = 0;
  const relay = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(new URL(request.url!, upstream), { method: request.method, headers: request.headers }, resolve)
        .on('error', reject)
        .end(Buffer.concat(chunks));
    });
    const answered: Buffer[] = [];
    for await (const chunk of answer) answered.push(chunk as Buffer);
    if (request.method === 'POST') {
      posts += 1;
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    const headers = Object.fromEntries(
      Object.entries(answer.headers).filter(([name]) => name !== 'transfer-encoding' && name !== 'content-length'),
    );
    response.writeHead(answer.statusCode!, headers as Record<string, string | string[]>).end(Buffer.concat(answered));
  };
  // A relay that fails answers 502, as a proxy would, rather than leaving its caller waiting.
  const proxy = createHttpServer((request, response) => {
    relay(request, response).catch(() => response.writeHead(502).end());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { proxy, posts: () => posts };
}

test('while the FAQ service is down promote is 503 with Retry-After, the circuit opens and then closes, and nothing is half-written', async (t) => {
  // The outage shows as refused connections, not timeouts: the timeout only has to outlast a freshly started
  // FAQ service's first answers on a busy machine.
  const system = await startSplitSystem({ ticketEnv: { FAQ_API_COOLDOWN_MS: '1500', FAQ_API_TIMEOUT_MS: '8000' } });
  const tcpGuard: { close?: () => Promise<void> } = {};
  try {
    const walker = new Walker(system.token);
    const root = system.roots.tickets;
    const first = await report(walker, root, 'Promoted before the outage');
    t.is((await walker.submit(first, 'promote')).status, 201);
    const second = await report(walker, root, 'Promoted after the outage');

    await system.stopFaqService();

    let opened = false;
    for (let attempt = 0; attempt < 6 && !opened; attempt++) {
      const refused = await walker.submit(second, 'promote');
      t.is(refused.status, 503);
      t.regex(refused.headers.get('Retry-After') ?? '', /^[1-9]\d*$/);
      t.is(refused.headers.get('Content-Type'), 'application/problem+json');
      t.is(((await refused.json()) as { type: string }).type, new URL('/problems/service-unavailable', root).href);
      opened = (await metric(walker, root, CIRCUIT)) === 2;
    }
    t.true(opened, 'the circuit opened after repeated failures');

    // Tickets keep working: reported, read (with the faqs link of the last FAQ home document known), listed;
    // ready, though it warns.
    const during = await report(walker, root, 'Reported during the outage');
    t.truthy(during.document._links.faqs, 'the faqs link stays through the outage');
    const tagDuring = (await walker.request(during.url)).headers.get('ETag');
    t.is((await walker.get(first.url)).document.title, 'Promoted before the outage');
    const ready = await fetch(new URL('ready', root));
    t.is(ready.status, 200);
    const health = (await ready.json()) as {
      status: string;
      checks: Record<string, { status: string; circuit?: string }[]>;
    };
    t.is(health.status, 'warn');
    t.like(health.checks['faq-service:responseTime']?.[0], { status: 'warn', circuit: 'open' });

    // While open, nothing is sent: a listener on the FAQ service's port sees no connection at all.
    await assertOpenCircuitSendsNothing(t, { system, walker, root, ticket: second, tcpGuard });

    // Back again: after the cool-down one probe call goes through, succeeds, and the circuit closes.
    await system.restartFaqService();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const promoted = await walker.submit(second, 'promote');
    t.is(promoted.status, 201);
    t.is(await metric(walker, root, CIRCUIT), 0);
    t.deepEqual(
      (await walker.get(during.url)).document._links.faqs,
      during.document._links.faqs,
      'the same faqs link as during the outage',
    );
    t.is(
      (await walker.request(during.url)).headers.get('ETag'),
      tagDuring,
      'so a copy from the outage is still current',
    );
    t.is((await walker.request(during.url, { headers: { 'If-None-Match': tagDuring! } })).status, 304);

    // Nothing half-written: every FAQ names its ticket, one per promoted ticket; the tickets were not touched.
    await assertNothingHalfWritten(t, system, first, second);
  } finally {
    await tcpGuard.close?.();
    await system.close();
  }
});

test('an FAQ service that answers nonsense makes promote 502, changes nothing, and tickets keep working', async (t) => {
  // Something that is not the FAQ service answers at FAQ_API: a web page instead of a HAL home document.
  const impostor = createHttpServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>It works!</body></html>');
  });
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  const database = await createTestDatabase();
  const ticketService = await spawnServer({
    SERVICES: 'tickets',
    DATABASE_URL: database.url,
    FAQ_API: `http://127.0.0.1:${(impostor.address() as AddressInfo).port}/`,
  });
  try {
    const walker = new Walker(ticketService.adminToken);
    const root = new URL('/', ticketService.url).href;
    const ticket = await report(walker, root, 'Promoted to nowhere');
    t.is(ticket.document._links.faqs, undefined);
    const refused = await walker.submit(ticket, 'promote');
    t.is(refused.status, 502);
    t.is(((await refused.json()) as { type: string }).type, new URL('/problems/bad-gateway', root).href);
    t.is(await metric(walker, root, CIRCUIT), 0, 'a wrong answer is no outage: the circuit stays closed');
    t.is((await walker.get(ticket.url)).document.title, 'Promoted to nowhere');
    const stored = await inspectDatabase(database.url, async (db) => ({
      tickets: await db.selectFrom('tickets').select(['title', 'version']).execute(),
      faqs: (await db.selectFrom('faqs').select('id').execute()).length,
    }));
    t.deepEqual(stored, { tickets: [{ title: 'Promoted to nowhere', version: 1 }], faqs: 0 });
  } finally {
    await ticketService.stop();
    await new Promise((resolve) => impostor.close(resolve));
    await database.drop();
  }
});

test('a create that timed out is not sent again, and the next promote finds the FAQ it made', async (t) => {
  const system = await startSplitSystem();
  const { proxy, posts } = await lateAnsweringProxy(new URL(system.roots.faqs));
  const ticketDatabase = await createTestDatabase();
  const minted = await fetch(new URL('tokens', system.roots.faqs), {
    method: 'POST',
    headers: { Authorization: `Bearer ${system.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'slow-ticket-service', role: 'agent' }),
  });
  const { secret } = (await minted.json()) as { secret: string };
  const ticketService = await spawnServer({
    SERVICES: 'tickets',
    DATABASE_URL: ticketDatabase.url,
    ADMIN_TOKEN: system.token,
    FAQ_API: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
    FAQ_API_TOKEN: secret,
    FAQ_API_TIMEOUT_MS: '500',
  });
  try {
    const walker = new Walker(system.token);
    const ticket = await report(walker, new URL('/', ticketService.url).href, 'Answered too late');
    const timedOut = await walker.submit(ticket, 'promote');
    t.is(timedOut.status, 503);
    t.truthy(timedOut.headers.get('Retry-After'));
    await new Promise((resolve) => setTimeout(resolve, 1600)); // the FAQ service has long answered the proxy
    t.is(posts(), 1, 'the create was sent once, not retried');
    const found = await walker.submit(ticket, 'promote');
    t.is(found.status, 303);
    const faq = await walker.get(walker.location(found, ticket.url));
    t.is(faq.document.question, 'Answered too late');
    t.is(posts(), 1);
    t.deepEqual(await system.inspect.faqs((db) => db.selectFrom('faqs').select(['question', 'source_uri']).execute()), [
      { question: 'Answered too late', source_uri: ticket.url },
    ]);
  } finally {
    await ticketService.stop();
    await new Promise((resolve) => proxy.close(resolve));
    await system.close();
    await ticketDatabase.drop();
  }
});
