// The OpenAPI description at /openapi.json: valid OpenAPI 3.1, the same operations as the router (both ways),
// every operation it lists answers, and every home document links it (RFC 8631 service-desc and service-doc).
import { validate } from '@readme/openapi-parser';
import test from 'ava';
import { PROBLEM_TYPES } from '../../../src/http/problem.ts';
import { BODILESS } from '../../../src/resources/openapi/document.ts';
import { endpoints } from '../../../src/links/registry.ts';
import { RELATIONS } from '../../../src/links/relations.ts';
import { type ImportBody, submitImport, untilFinished } from '../../helpers/imports.ts';
import { createFaq, createTicket } from '../../helpers/seed.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { startSplitSystem } from '../../helpers/services.ts';

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
}
interface Description {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, unknown> };
}
type Link = { href: string; type?: string };

const OPENAPI_JSON = 'application/openapi+json';
const VARIABLE = /\{(\w+)\}/g;

let server: TestServer;
test.before(async () => {
  server = await startTestServer({ IMPORT_POLL_MS: '50' });
});
test.after.always(() => server.close());

/** What the validator says of a description (it works on a copy: it dereferences in place). */
async function validity(description: Description): Promise<{ valid: boolean; errors: unknown[] }> {
  const result = await validate(structuredClone(description) as never);
  return { valid: result.valid, errors: result.valid ? [] : result.errors };
}

async function descriptionAt(url: string): Promise<Description> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as Description;
}

/** The methods each path's route allows, as the router itself says in answer to OPTIONS (HEAD and OPTIONS aside). */
async function allowedAt(url: string, token: string): Promise<string[] | undefined> {
  const response = await fetch(url, { method: 'OPTIONS', headers: { Authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  const allow = response.headers.get('allow');
  if (!response.ok || allow === null) return undefined;
  return allow
    .split(',')
    .map((method) => method.trim().toLowerCase())
    .filter((method) => method !== 'head' && method !== 'options')
    .sort();
}

/** A path of the description with every variable given a value (1 unless `values` names one). */
function concrete(path: string, values: Record<string, string | number> = {}): string {
  return path.replace(VARIABLE, (_, name: string) => encodeURIComponent(String(values[name] ?? 1)));
}

/**
 * Every documented path allows exactly the documented methods, and every path of the registry the router
 * answers (OPTIONS gives an Allow) is documented with exactly those methods: the router and the description agree.
 */
async function routesAgree(
  t: import('ava').ExecutionContext,
  root: string,
  token: string,
  description: Description,
): Promise<void> {
  const base = description.servers[0]!.url;
  for (const [path, operations] of Object.entries(description.paths)) {
    t.deepEqual(await allowedAt(base + concrete(path), token), Object.keys(operations).sort(), `${root}: ${path}`);
  }
  const mount = new URL(base).pathname.replace(/\/$/, '');
  for (const endpoint of Object.values(endpoints)) {
    const own = endpoint.path; // this process (the test's) has no mount: the path the service has under its own
    const allowed = await allowedAt(new URL(root).origin + mount + concrete(own), token);
    if (allowed === undefined) t.false(own in description.paths, `${root}: ${own} is documented but not routed`);
    else
      t.deepEqual(
        Object.keys(description.paths[own] ?? {}).sort(),
        allowed,
        `${root}: ${own} is routed but not documented`,
      );
  }
}

test("the description is OpenAPI 3.1 that a validator accepts, on the request's own origin", async (t) => {
  const response = await server.fetch('/openapi.json');
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), OPENAPI_JSON);
  const description = (await response.json()) as Description;
  t.is(description.openapi, '3.1.0');
  t.deepEqual(description.servers, [{ url: server.at('') }]);
  t.deepEqual(await validity(description), { valid: true, errors: [] });
  const bad = structuredClone(description);
  bad.paths['/tickets']!.get!.parameters![0]!.in = 'nowhere';
  t.false((await validity(bad)).valid, 'the validator does reject a broken description');
});

test('the description is served with an ETag (304 when unchanged), and as application/json to whoever asks for that', async (t) => {
  const first = await server.fetch('/openapi.json');
  const etag = first.headers.get('etag');
  t.truthy(etag);
  t.is((await server.fetch('/openapi.json', { headers: { 'If-None-Match': etag! } })).status, 304);
  const plain = await server.fetch('/openapi.json', { headers: { Accept: 'application/json' } });
  t.is(plain.headers.get('content-type'), 'application/json; charset=utf-8');
  t.deepEqual(await plain.json(), await first.json());
  const refused = await server.fetch('/openapi.json', { headers: { Accept: 'application/xml' } });
  t.is(refused.status, 406);
});

test("every operation the router has is in the description, and every operation in it is the router's", async (t) => {
  const description = await descriptionAt(server.at('/openapi.json'));
  t.true(Object.keys(description.paths).length >= 20);
  await routesAgree(t, server.at('/'), server.adminToken, description);
});

test('every operation names its path and query variables from the templates, its bodies by media type and its problems', async (t) => {
  const { paths, components } = await descriptionAt(server.at('/openapi.json'));
  const tickets = paths['/tickets']!;
  t.deepEqual(
    tickets.get!.parameters!.map((p) => `${p.in}:${p.name}`),
    ['query:page', 'query:size', 'query:status', 'query:q', 'query:import'],
  );
  t.deepEqual(Object.keys(tickets.post!.requestBody!.content), ['application/json', 'application/hal+json']);
  t.deepEqual(Object.keys(paths['/tickets/{id}']!.patch!.requestBody!.content).sort(), [
    'application/hal+json',
    'application/json',
    'application/merge-patch+json',
  ]);
  t.deepEqual(Object.keys(paths['/imports']!.post!.requestBody!.content), ['application/json', 'application/x-ndjson']);
  t.deepEqual(
    paths['/imports/{id}/rejections/{row}']!.get!.parameters!.map((p) => `${p.in}:${p.name}`),
    ['path:id', 'path:row'],
  );
  t.deepEqual(Object.keys((paths['/tickets/{id}']!.get!.responses['200'] as { content: object }).content), [
    'application/hal+json',
    'application/prs.hal-forms+json',
    'application/json',
  ]);
  // Each kind of problem is described once, and operations refer to the ones they can give.
  t.deepEqual(Object.keys(components.responses).sort(), Object.keys(PROBLEM_TYPES).sort());
  const patch = paths['/tickets/{id}']!.patch!.responses;
  for (const status of ['400', '401', '403', '404', '406', '409', '412', '413', '415', '421', '429', '503'])
    t.truthy(patch[status], `PATCH ticket lists ${status}`);
  t.is(paths['/tickets']!.get!.responses['412'], undefined, 'a read has no precondition to fail');
  t.is(paths['/tickets/{id}/promote']!.post!.requestBody, undefined, 'promote takes no body');
  // A write describes its body unless it is one of the few that take none: a new write cannot go undescribed.
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (method === 'get' || method === 'delete') continue;
      const bodiless = [...BODILESS].some(
        (key) => operation.operationId === `${key.split(' ')[0]!.toLowerCase()}-${key.split(' ')[1]}`,
      );
      t.is(operation.requestBody === undefined, bodiless, `${method} ${path}`);
    }
  }
  // The bodies are the schemas the server validates with, as /schemas/ serves them.
  const served = (await (await server.fetch('/schemas/ticket-patch')).json()) as Record<string, unknown>;
  const { $id: _id, $schema: _schema, ...servedSchema } = served;
  const described = (await descriptionAt(server.at('/openapi.json'))) as unknown as {
    components: { schemas: Record<string, unknown> };
  };
  t.deepEqual(described.components.schemas['ticket-patch'], servedSchema);
});

/** One resource of every kind the description names, and the values that fill its paths' variables, by path prefix. */
async function oneOfEachResource(): Promise<Record<string, Record<string, string | number>>> {
  const ticket = await createTicket(server, { title: 'Described printer' });
  const [faq, v1Faq] = [
    await createFaq(server, { question: 'Is the API described?' }),
    await createFaq(server, { question: 'Is v1 described?' }),
  ];
  const submitted = await submitImport(server.fetch, [
    { title: 'Imported described ticket', requester: 'bulk@example.com' },
    { title: '' },
  ]);
  const job: ImportBody = await untilFinished(server.fetch, submitted.location);
  const token = (await (
    await server.fetch('/tokens', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'described', role: 'agent' }),
    })
  ).json()) as { id: number };
  const asset = /assets\/([^"?]+)/.exec(
    await (await server.fetch('/explorer', { headers: { Accept: 'text/html' } })).text(),
  )![1]!;
  return {
    '/tickets/': { id: ticket.body.id },
    '/faqs/': { id: faq.body.id },
    '/v1/faqs/': { id: v1Faq.body.id },
    '/imports/': { id: job.id, row: 2 },
    '/tokens/': { id: token.id },
    '/schemas/': { name: 'ticket' },
    '/rels/': { rel: 'ticket' },
    '/problems/': { kind: 'not-found' },
    '/docs/deprecations/': { name: 'faq-v1' },
    '/explorer/assets/': { name: asset },
  };
}

test('every operation the description lists answers on real resources, with a status it documents', async (t) => {
  const values = await oneOfEachResource();
  const description = await descriptionAt(server.at('/openapi.json'));
  const operations = Object.entries(description.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  // Reads first, deletes last: each operation finds the resources it names still there.
  const order = ['get', 'post', 'put', 'patch', 'delete'];
  operations.sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method));
  for (const { path, method, operation } of operations) {
    const prefix = Object.keys(values).find((start) => path.startsWith(start));
    const url = description.servers[0]!.url + concrete(path, prefix ? values[prefix] : {});
    const answers = Object.values(operation.responses) as { content?: Record<string, unknown> }[];
    const accept = Object.keys(answers.find((answer) => answer.content)?.content ?? {})[0] ?? '*/*';
    const body = operation.requestBody ? JSON.stringify(method === 'patch' ? {} : { title: 'x' }) : undefined;
    const response = await fetch(url, {
      method: method.toUpperCase(),
      redirect: 'manual',
      headers: {
        Authorization: `Bearer ${server.adminToken}`,
        Accept: accept,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body,
    });
    await response.body?.cancel();
    const label = `${method.toUpperCase()} ${path} answered ${response.status}`;
    t.false([404, 405, 501].includes(response.status), label);
    t.truthy(operation.responses[String(response.status)], `${label}, which it does not document`);
  }
});

test('the home documents link the description as service-desc and the relation pages as service-doc', async (t) => {
  for (const home of ['/', '/v1/']) {
    for (const token of [server.adminToken, '']) {
      const response = await server.fetch(home, { headers: { Authorization: token && `Bearer ${token}` } });
      const links = ((await response.json()) as { _links: Record<string, Link> })._links;
      t.deepEqual(
        links['service-desc'],
        { href: server.at('/openapi.json'), type: OPENAPI_JSON, title: 'OpenAPI description of this API' },
        home,
      );
      t.is(links['service-doc']?.href, server.at('/rels'), home);
      t.regex(
        response.headers.get('link') ?? '',
        /<[^>]+\/openapi\.json>; rel="service-desc"; type="application\/openapi\+json"/,
      );
    }
  }
  const index = await server.fetch('/rels', { headers: { Accept: 'text/html' } });
  t.is(index.status, 200);
  t.regex(index.headers.get('content-type') ?? '', /^text\/html/);
  const page = await index.text();
  for (const rel of Object.keys(RELATIONS)) {
    t.true(page.includes(`href="${server.at(`/rels/${rel}`)}"`), rel);
    t.is((await server.fetch(`/rels/${rel}`, { headers: { Accept: 'text/html' } })).status, 200);
  }
  for (const kind of Object.keys(PROBLEM_TYPES))
    t.true(page.includes(`href="${server.at(`/problems/${kind}`)}"`), kind);
  t.true(page.includes(`href="${server.at('/openapi.json')}"`));
});

test.serial(
  'each split service describes its own routes, under its BASE_PATH, and its home links that description',
  async (t) => {
    const system = await startSplitSystem({ faqBasePath: '/kb' });
    try {
      for (const [service, root] of Object.entries(system.roots)) {
        const home = await fetch(root, { headers: { Authorization: `Bearer ${system.token}` } });
        const links = ((await home.json()) as { _links: Record<string, Link> })._links;
        t.is(links['service-desc']?.href, new URL('openapi.json', root).href, service);
        t.is(links['service-doc']?.href, new URL('rels', root).href, service);
        const description = await descriptionAt(links['service-desc']!.href);
        t.deepEqual(description.servers, [{ url: root.replace(/\/$/, '') }], service);
        t.deepEqual(await validity(description), { valid: true, errors: [] }, service);
        await routesAgree(t, root, system.token, description);
      }
      const faqs = await descriptionAt(new URL('openapi.json', system.roots.faqs).href);
      t.false('/tickets' in faqs.paths, 'the FAQ service has no tickets');
      t.true('/v1/faqs' in faqs.paths);
      const tickets = await descriptionAt(new URL('openapi.json', system.roots.tickets).href);
      t.false('/faqs' in tickets.paths, 'the ticket service has no FAQs of its own');
      t.true('/tickets/{id}/promote' in tickets.paths);
    } finally {
      await system.close();
    }
  },
);
