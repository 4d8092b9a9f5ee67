// Property-based: random bodies, headers, query strings and paths, sent to every route with every method by
// callers of every role (and by garbage credentials), must never get a 5xx; every 4xx is a problem document
// whose status matches; and a refused request, or any GET/HEAD/OPTIONS, leaves the data exactly as it was
// (the database is read directly before and after each request). Runs are bounded to keep the file quick.
import { gzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import type { Database } from '../../../src/store/schema.ts';
import { actorOf, createFaq, createTicket, mintToken, requester } from '../../helpers/access-fixtures.ts';
import { problemShapeErrors } from '../../helpers/access-problems.ts';
import { openTestConnection } from '../../helpers/database.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
let database: Kysely<Database>;
/** Bearer tokens of each role; `undefined` sends no Authorization header. */
let tokens: (string | undefined)[];

test.before(async () => {
  server = await startTestServer();
  const [alice, bob, agent, admin] = await Promise.all([
    requester(server, 'alice'),
    requester(server, 'bob'),
    actorOf(server, 'agent'),
    actorOf(server, 'admin'),
  ]);
  tokens = [undefined, alice.token!, bob.token!, agent.token!, admin.token!];
  database = openTestConnection(server.config.databaseUrl);
});
test.after.always(async () => {
  await database?.destroy();
  await server?.close();
});

// ---- What is checked after every request ----

const TABLES = ['tickets', 'faqs', 'faq_related', 'tokens', 'counters'] as const;

/** Every row the API keeps, straight from the database (rows sorted, as neither engine promises an order). */
async function snapshot(): Promise<string> {
  const tables = await Promise.all(TABLES.map((table) => database.selectFrom(table).selectAll().execute()));
  return JSON.stringify(tables.map((rows) => rows.map((row) => JSON.stringify(row)).sort()));
}

interface RandomRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join();
const PROTOTYPE = prototypeKeys();

/** Sends one request and throws (for fast-check to report and shrink) if any rule is broken. */
async function check(request: RandomRequest): Promise<void> {
  const before = await snapshot();
  // Concatenated, not resolved: `//tickets` must reach the server as a path, not become a host.
  const response = await fetch(`${server.url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    redirect: 'manual',
    ...(request.body === undefined || SAFE.has(request.method) ? {} : { body: request.body }),
  });
  const text = await response.text();
  const where = `${request.method} ${request.path} -> ${response.status}`;
  if (response.status >= 500) throw new Error(`${where}: a server error: ${text.slice(0, 500)}`);
  if (response.status >= 400 && request.method !== 'HEAD') {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const faults = problemShapeErrors(response.status, response.headers.get('content-type'), body);
    if (faults.length > 0)
      throw new Error(`${where}: not a problem document (${faults.join('; ')}): ${text.slice(0, 300)}`);
  }
  if ((response.status >= 400 || SAFE.has(request.method)) && (await snapshot()) !== before) {
    throw new Error(`${where}: the data changed`);
  }
  if (prototypeKeys() !== PROTOTYPE || ({} as Record<string, unknown>).admin !== undefined)
    throw new Error(`${where}: Object.prototype was polluted`);
}

// ---- Arbitraries ----

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 60,
});
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Ids: the fixtures' own, ones that never existed, and things that are not ids at all. */
function idArbitrary(ids: number[]) {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids).map(String) },
    fc.constantFrom('0', '-1', '1e3', '01', '99999999999999999999', '%2F', '..', 'null', '1.5', '%00'),
    fc.integer({ min: 1, max: 2 ** 53 }).map(String),
    printable.map(encodeURIComponent),
  );
}

const ROUTES = [
  '/',
  '/tickets',
  '/tickets/{id}',
  '/tickets/{id}/promote',
  '/tickets/{id}/merge',
  '/faqs',
  '/faqs/{id}',
  '/faqs/{id}/publish',
  '/search',
  '/tokens',
  '/tokens/{id}',
  '/v1/faqs',
  '/v1/faqs/{id}',
];

const FIELDS = [
  'title',
  'description',
  'status',
  'priority',
  'requester',
  'assignee',
  'tags',
  'question',
  'answer',
  'source',
  'related',
  'into',
  'name',
  'role',
  'email',
  'id',
  'createdAt',
  'updatedAt',
  'secret',
  'revokedAt',
  'version',
  'constructor',
  'prototype',
];

/** Bodies: any JSON, objects with the API's field names and values of any type, prototype-polluting keys, huge strings, non-JSON. */
function bodyArbitrary(ids: number[]) {
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(...ids),
    fc.constantFrom('open', 'closed', 'draft', 'published', 'admin', 'requester', 'a@customers.example'),
  );
  const fields = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 });
  return fc.oneof(
    { weight: 3, arbitrary: fields.map((object) => JSON.stringify(object)) },
    fc.json({ maxDepth: 3 }),
    fc
      .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fields)
      .map(([key, object]) =>
        `{"${key}": {"admin": true, "polluted": 1}, ${JSON.stringify(object).slice(1)}`.replace(/, }$/, '}'),
      ),
    fc
      .tuple(
        fc.constantFrom('title', 'question', 'name', 'answer', 'description'),
        fc.integer({ min: 1_000, max: 150_000 }),
      )
      .map(([key, length]) => JSON.stringify({ [key]: 'x'.repeat(length) })),
    fc.string({ maxLength: 80 }),
    fc.constant(''),
  );
}

const ACCEPT = [
  'application/hal+json',
  'application/prs.hal-forms+json',
  'application/json',
  'application/problem+json',
  'text/html',
  'text/csv',
  '*/*',
  'application/*',
  'application/hal+json;q=0',
  '',
];
const CONTENT_TYPE = [
  'application/json',
  'application/hal+json',
  'application/merge-patch+json',
  'application/json; charset=utf-16',
  'application/json; charset=nope',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
];

/** Headers: real values, near misses and garbage, for each header the API reads. */
function headersArbitrary() {
  const pick = (values: string[]) =>
    fc.option(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, printable), { nil: undefined });
  return fc
    .record({
      token: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...tokens) },
        printable.map((garbage) => `garbage:${garbage}`),
      ),
      accept: pick(ACCEPT),
      contentType: pick(CONTENT_TYPE),
      ifMatch: pick(['"v1"', '"v2"', '*', '"v1-forms"', 'W/"v1"', '"h"', '"v1", "v2"']),
      ifNoneMatch: pick(['"v1"', '*', 'W/"v1"']),
      prefer: pick(['return=minimal', 'return=representation', 'return="minimal"; x=y', 'handling=strict']),
      contentEncoding: pick(['gzip', 'deflate', 'br', 'identity', 'compress']),
    })
    .map(({ token, accept, contentType, ifMatch, ifNoneMatch, prefer, contentEncoding }) => {
      const headers: Record<string, string> = {};
      if (token?.startsWith('garbage:')) headers.Authorization = token.slice('garbage:'.length);
      else if (token !== undefined) headers.Authorization = `Bearer ${token}`;
      if (accept !== undefined) headers.Accept = accept;
      if (contentType !== undefined) headers['Content-Type'] = contentType;
      if (ifMatch !== undefined) headers['If-Match'] = ifMatch;
      if (ifNoneMatch !== undefined) headers['If-None-Match'] = ifNoneMatch;
      if (prefer !== undefined) headers.Prefer = prefer;
      if (contentEncoding !== undefined) headers['Content-Encoding'] = contentEncoding;
      return headers;
    });
}

const QUERY_NAMES = ['page', 'size', 'status', 'q', 'source', 'after', 'before', 'access_token'];

/** Query strings: the API's parameters with good, bad and repeated values, and unknown ones. */
function queryArbitrary(ids: number[]) {
  const value = fc.oneof(
    fc.constantFrom(
      '1',
      '0',
      '-1',
      '2',
      '100',
      '101',
      '1e2',
      'open',
      'draft',
      'published',
      'closed',
      '',
      '%',
      '"*',
      'printer*',
      'NEAR(a b)',
    ),
    fc.constantFrom(...ids).map(String),
    fc.string({ maxLength: 40 }),
    fc.integer({ min: 0, max: 2 ** 60 }).map(String),
  );
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_NAMES) }, fc.string({ maxLength: 10 }));
  return fc.array(fc.tuple(name, value), { maxLength: 5 }).map((pairs) => {
    const query = new URLSearchParams(pairs).toString();
    return query === '' ? '' : `?${query}`;
  });
}

/** Fresh data for a property to work on: whatever earlier runs deleted or closed does not shrink what this one reaches. */
async function fixtures(): Promise<number[]> {
  const alice = await requester(server, 'fixture');
  const tickets = await Promise.all([
    createTicket(server, alice.email),
    createTicket(server, alice.email),
    createTicket(server, 'other@customers.example'),
  ]);
  const draft = await createFaq(server, { status: 'draft', source: tickets[0].id });
  const published = await createFaq(server, { status: 'published', related: [draft.id] });
  const token = await mintToken(server, 'agent');
  return [...new Set([...tickets.map((t) => t.id), draft.id, published.id, token.id])];
}

function pathFor(route: string, id: string): string {
  return route.replace('{id}', id);
}

async function holds(t: ExecutionContext, property: fc.IAsyncProperty<[RandomRequest]>, numRuns: number) {
  await t.notThrowsAsync(fc.assert(property, { numRuns, includeErrorInReport: true }));
}

for (const route of ROUTES) {
  test.serial(
    `random bodies sent to ${route} with any method by any caller: no 5xx, 4xx are problems, refusals change nothing`,
    async (t) => {
      const ids = await fixtures();
      const request = fc
        .record({
          method: fc.constantFrom(...METHODS),
          id: idArbitrary(ids),
          token: fc.constantFrom(...tokens),
          body: fc.option(bodyArbitrary(ids), { nil: undefined }),
          contentType: fc.constantFrom('application/json', 'application/hal+json', 'application/merge-patch+json'),
        })
        .map(({ method, id, token, body, contentType }): RandomRequest => ({
          method,
          path: pathFor(route, id),
          headers: {
            'Content-Type': contentType,
            ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
          },
          body,
        }));
      await holds(t, fc.asyncProperty(request, check), 25);
    },
  );
}

test.serial(
  'random headers on every route and method: no 5xx, 4xx are problems, refusals change nothing',
  async (t) => {
    const ids = await fixtures();
    const request = fc
      .record({
        route: fc.constantFrom(...ROUTES),
        method: fc.constantFrom(...METHODS),
        id: fc.constantFrom(...ids).map(String),
        headers: headersArbitrary(),
        body: fc.option(bodyArbitrary(ids), { nil: undefined }),
      })
      .map(({ route, method, id, headers, body }): RandomRequest => ({
        method,
        path: pathFor(route, id),
        headers,
        body,
      }));
    await holds(t, fc.asyncProperty(request, check), 200);
  },
);

test.serial(
  'random query strings and paths on every method: no 5xx, 4xx are problems, refusals change nothing',
  async (t) => {
    const ids = await fixtures();
    const segment = fc.oneof(
      fc.constantFrom(
        'tickets',
        'faqs',
        'v1',
        'tokens',
        'search',
        'promote',
        'merge',
        'publish',
        'schemas',
        'rels',
        'problems',
        'docs',
        'metrics',
        'TICKETS',
        '',
        '.',
        '..',
      ),
      fc.constantFrom(...ids).map(String),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    const path = fc.oneof(
      fc.tuple(fc.constantFrom(...ROUTES), idArbitrary(ids)).map(([route, id]) => pathFor(route, id)),
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`),
    );
    const request = fc
      .record({
        method: fc.constantFrom(...METHODS),
        path,
        query: queryArbitrary(ids),
        token: fc.constantFrom(...tokens),
        body: fc.option(bodyArbitrary(ids), { nil: undefined }),
      })
      .map(({ method, path, query, token, body }): RandomRequest => ({
        method,
        path: `${path}${query}`,
        headers: {
          'Content-Type': 'application/json',
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
        body,
      }));
    await holds(t, fc.asyncProperty(request, check), 200);
  },
);

test.serial(
  'a body that does not decompress is a 400 problem and changes nothing, while a real gzip body is read',
  async (t) => {
    const body = JSON.stringify({ title: 'Compressed report', requester: 'zip@customers.example' });
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const before = await snapshot();
      const response = await server.fetch('/tickets', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
        body,
      });
      t.is(response.status, 400, encoding);
      t.deepEqual(problemShapeErrors(response.status, response.headers.get('content-type'), await response.json()), []);
      t.is(await snapshot(), before);
    }
    // A large one fails mid-stream; the answer must still reach the client rather than a reset connection.
    const large = JSON.stringify({ title: 'x'.repeat(140_000), requester: 'zip@customers.example' });
    for (let attempt = 0; attempt < 10; attempt++) {
      const response = await server.fetch('/tickets', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: large,
      });
      t.is(response.status, 400);
      await response.body?.cancel();
    }
    const zipped = await server.fetch('/tickets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(body),
    });
    t.is(zipped.status, 201);
    t.is(((await zipped.json()) as { title: string }).title, 'Compressed report');
  },
);
