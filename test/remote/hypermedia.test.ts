// The client the ticket service reads the FAQ service with, against a real HTTP server on loopback that
// answers as told: which copies it keeps and for how long, when it asks again, that concurrent reads share a
// request, and which kept copies it may use while the other service is unavailable.
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { HypermediaClient, type Reading, RemoteFailure } from '../../src/remote/hypermedia.ts';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** Another service: answers every request with `answer(request)`, and remembers what it was asked. */
interface OtherService {
  url: string;
  requests: { method: string; headers: IncomingHttpHeaders }[];
  answer: (request: { headers: IncomingHttpHeaders }) => Answer;
  close(): Promise<void>;
}

const HOME = JSON.stringify({ _links: { self: { href: '/' }, faqs: { href: '/faqs{?q,source}', templated: true } } });

/** A HAL home document with an ETag, 304 when the client has it; `headers` added to both. */
function withETag(headers: Record<string, string> = {}) {
  return ({ headers: asked }: { headers: IncomingHttpHeaders }): Answer =>
    asked['if-none-match'] === '"home-1"'
      ? { status: 304, headers: { ETag: '"home-1"', ...headers } }
      : { status: 200, headers: { 'Content-Type': 'application/hal+json', ETag: '"home-1"', ...headers }, body: HOME };
}

const unavailable = (): Answer => ({
  status: 503,
  headers: { 'Content-Type': 'text/plain' },
  body: 'down for maintenance',
});

const services: OtherService[] = [];
test.after.always(() => Promise.all(services.map((service) => service.close())));

async function otherService(answer: OtherService['answer'] = withETag()): Promise<OtherService> {
  let server: Server;
  const service: OtherService = {
    url: '',
    requests: [],
    answer,
    close: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
  };
  server = createServer((request, response) => {
    service.requests.push({ method: request.method!, headers: request.headers });
    const { status, headers = {}, body, delayMs = 0 } = service.answer(request);
    setTimeout(() => response.writeHead(status, headers).end(body), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  services.push(service);
  return service;
}

function client(outcomes: string[] = []): HypermediaClient {
  return new HypermediaClient({
    userAgent: 'helpdesk-test',
    token: undefined,
    timeoutMs: 5_000,
    cooldownMs: 60_000,
    observe: (_method, outcome) => outcomes.push(outcome),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const anonymous: Reading = { authenticated: false };

test('an answer with max-age is used without asking until it is stale, then revalidated by its ETag', async (t) => {
  const service = await otherService(withETag({ 'Cache-Control': 'max-age=1' }));
  const reader = client();
  const reading = { ...anonymous, defaultFreshMs: 60_000 }; // max-age, when given, wins over the default
  const first = await reader.get(service.url, reading);
  await reader.get(service.url, reading);
  await reader.get(service.url, reading);
  t.is(service.requests.length, 1, 'fresh for max-age: not asked again');
  await sleep(1_100);
  const again = await reader.get(service.url, reading);
  t.is(service.requests.length, 2);
  t.is(service.requests[1]!.headers['if-none-match'], '"home-1"');
  t.deepEqual(again, first, 'a 304 gives back the kept copy');
  await reader.get(service.url, reading);
  t.is(service.requests.length, 2, 'the 304 made the copy fresh for max-age again');
});

test('an answer that states no freshness is used for the reading’s default fresh period, then revalidated', async (t) => {
  const service = await otherService();
  const reader = client();
  const reading = { ...anonymous, defaultFreshMs: 400 };
  await reader.get(service.url, reading);
  await reader.get(service.url, reading);
  t.is(service.requests.length, 1);
  await sleep(500);
  await reader.get(service.url, reading);
  t.is(service.requests.length, 2);
  t.is(service.requests[1]!.headers['if-none-match'], '"home-1"');
});

test('without a default fresh period, or when the answer says no-cache, every read asks', async (t) => {
  const plain = await otherService();
  const reader = client();
  for (let n = 0; n < 3; n++) await reader.get(plain.url, anonymous);
  t.is(plain.requests.length, 3);
  const noCache = await otherService(withETag({ 'Cache-Control': 'no-cache' }));
  for (let n = 0; n < 3; n++) await reader.get(noCache.url, { ...anonymous, defaultFreshMs: 60_000 });
  t.is(noCache.requests.length, 3);
  t.deepEqual(
    noCache.requests.slice(1).map((request) => request.headers['if-none-match']),
    ['"home-1"', '"home-1"'],
  );
});

test('concurrent reads of one URL make one request and share its answer', async (t) => {
  const service = await otherService((request) => ({ ...withETag()(request), delayMs: 150 }));
  const reader = client();
  const answers = await Promise.all(Array.from({ length: 20 }, () => reader.get(service.url, anonymous)));
  t.is(service.requests.length, 1);
  for (const answer of answers) t.is(answer, answers[0]!);
  await reader.get(service.url, anonymous);
  t.is(service.requests.length, 2, 'once answered, the next read asks again (no fresh period here)');
});

test('while the service answers 5xx, a kept copy answers for staleIfErrorMs past its freshness; after that the failure comes through', async (t) => {
  const service = await otherService();
  const outcomes: string[] = [];
  const reader = client(outcomes);
  const kept = await reader.get(service.url, anonymous);
  service.answer = unavailable;
  const stale = await reader.get(service.url, { ...anonymous, staleIfErrorMs: 60_000 });
  t.is(stale, kept);
  t.true(service.requests.length > 1, 'it asked first');
  t.true(outcomes.includes('unavailable'), 'and the failure was counted');

  await sleep(300);
  const error = await t.throwsAsync(reader.get(service.url, { ...anonymous, staleIfErrorMs: 200 }), {
    instanceOf: RemoteFailure,
  });
  t.is(error?.kind, 'unavailable');
});

test('a kept copy answers while the service refuses connections and while the circuit is open', async (t) => {
  const service = await otherService();
  const outcomes: string[] = [];
  const reader = client(outcomes);
  const kept = await reader.get(service.url, anonymous);
  await service.close();
  const reading = { ...anonymous, staleIfErrorMs: 60_000 };
  for (let n = 0; n < 4; n++) t.is(await reader.get(service.url, reading), kept);
  t.is(reader.circuit, 'open', 'three failed reads opened the circuit');
  t.true(outcomes.includes('skipped'), 'and the last read sent nothing');
  await t.throwsAsync(
    reader.get(service.url, anonymous),
    { instanceOf: RemoteFailure },
    'without staleIfErrorMs, no stale copy',
  );
});

test('a stale copy never hides a wrong answer, and never answers a read that revalidates', async (t) => {
  const service = await otherService();
  const reader = client();
  await reader.get(service.url, anonymous);
  const reading = { ...anonymous, staleIfErrorMs: 60_000 };

  service.answer = unavailable;
  const down = await t.throwsAsync(reader.get(service.url, { ...reading, revalidate: true }), {
    instanceOf: RemoteFailure,
  });
  t.is(down?.kind, 'unavailable');

  service.answer = () => ({ status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>It works!</html>' });
  const wrong = await t.throwsAsync(reader.get(service.url, reading), { instanceOf: RemoteFailure });
  t.is(wrong?.kind, 'bad-answer');
});

test('a read that revalidates asks even while the kept copy is fresh', async (t) => {
  const service = await otherService(withETag({ 'Cache-Control': 'max-age=600' }));
  const reader = client();
  await reader.get(service.url, anonymous);
  await reader.get(service.url, { ...anonymous, revalidate: true });
  t.is(service.requests.length, 2);
  t.is(service.requests[1]!.headers['if-none-match'], '"home-1"');
});

test('copies whose answer said must-revalidate or no-cache are not used stale', async (t) => {
  for (const cacheControl of ['max-age=0, must-revalidate', 'no-cache']) {
    const service = await otherService(withETag({ 'Cache-Control': cacheControl }));
    const reader = client();
    await reader.get(service.url, anonymous);
    service.answer = unavailable;
    await t.throwsAsync(
      reader.get(service.url, { ...anonymous, staleIfErrorMs: 60_000 }),
      { instanceOf: RemoteFailure },
      cacheControl,
    );
  }
});

test('answers that say no-store or private are not kept, and so are never used stale', async (t) => {
  for (const cacheControl of ['no-store', 'private, max-age=600']) {
    const service = await otherService(withETag({ 'Cache-Control': cacheControl }));
    const reader = client();
    await reader.get(service.url, { ...anonymous, defaultFreshMs: 60_000 });
    await reader.get(service.url, { ...anonymous, defaultFreshMs: 60_000 });
    t.is(service.requests.length, 2, cacheControl);
    t.is(service.requests[1]!.headers['if-none-match'], undefined, cacheControl);
    service.answer = unavailable;
    await t.throwsAsync(
      reader.get(service.url, { ...anonymous, staleIfErrorMs: 60_000 }),
      { instanceOf: RemoteFailure },
      cacheControl,
    );
  }
});
