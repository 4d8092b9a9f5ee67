// No regular expression the server uses can backtrack out of proportion to its input (issue 11): every one,
// found rather than listed by hand, is proven linear by recheck's automaton checker. "unknown" fails like
// "vulnerable": a pattern the checker cannot judge is not known to be safe, and must be made simpler.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import { pathToRegexp } from 'path-to-regexp';
import { FORMATS, lengthFirst } from '../../src/http/length-first.ts';
import { endpoints } from '../../src/links/registry.ts';
import { SCHEMAS } from '../../src/resources/schemas/routes.ts';
import { HAL_FORMS, type HalDocument, everyLink, expand } from '../helpers/hypermedia.ts';
import {
  type FoundPattern,
  SOURCE_DIR,
  liftBounds,
  regexesInSource,
  regexesOfFormats,
  verdict,
} from '../helpers/regexes.ts';
import { createFaq, createTicket } from '../helpers/seed.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
  const ticket = await createTicket(server, { tags: ['patterns'] });
  await createFaq(server, { question: 'Are patterns safe?', answer: 'Proven.', source: ticket.body.id });
});
test.after.always(() => server.close());

/** JSON Schema patterns are compiled by ajv with the `u` flag, and HAL-FORMS regexes as HTML patterns (`v`, which recheck reads as `u`). */
const UNICODE = 'u';

/** Every `pattern` and `format` in a JSON value (a schema, or a module's exports holding schemas). */
function schemaConstraints(
  value: unknown,
  where: string,
  found = { patterns: [] as FoundPattern[], formats: new Set<string>() },
  seen = new Set<object>(),
) {
  if (typeof value !== 'object' || value === null || seen.has(value)) return found;
  seen.add(value);
  const node = value as Record<string, unknown>;
  if (typeof node.pattern === 'string') found.patterns.push({ source: node.pattern, flags: UNICODE, where });
  if (typeof node.format === 'string') found.formats.add(node.format);
  for (const [key, child] of Object.entries(node)) schemaConstraints(child, `${where}/${key}`, found, seen);
  return found;
}

/** The resource modules that describe bodies and resources (src/resources/<name>/schema.ts), all of them. */
async function schemaModules(): Promise<[string, Record<string, unknown>][]> {
  const resources = join(SOURCE_DIR, 'resources');
  // Each resource is a directory; modules they share (load.ts, collection.ts) sit beside them.
  const names = readdirSync(resources, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && readdirSync(join(resources, entry.name)).includes('schema.ts'))
    .map((entry) => entry.name);
  return Promise.all(
    names.map(
      async (name) =>
        [name, (await import(pathToFileURL(join(resources, name, 'schema.ts')).href)) as Record<string, unknown>] as [
          string,
          Record<string, unknown>,
        ],
    ),
  );
}

/** Walks the API from its home documents as a HAL-FORMS client, and returns every template's regexes. */
async function formRegexes(): Promise<FoundPattern[]> {
  const found: FoundPattern[] = [];
  const queue = ['/', '/v1/'];
  const visited = new Set<string>();
  while (queue.length > 0 && visited.size < 300) {
    const path = queue.shift()!;
    if (visited.has(path)) continue;
    visited.add(path);
    const response = await server.fetch(path, { headers: { Accept: HAL_FORMS } });
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !/json/.test(type)) {
      await response.body?.cancel();
      continue;
    }
    const document = (await response.json()) as HalDocument;
    if (!document._links) continue;
    const documents = [document, ...Object.values(document._embedded ?? {}).flat()];
    for (const each of documents) {
      for (const [name, template] of Object.entries(each._templates ?? {})) {
        for (const property of template.properties) {
          if (property.regex !== undefined)
            found.push({ source: property.regex, flags: UNICODE, where: `${path} template ${name}.${property.name}` });
        }
      }
    }
    for (const [, link] of everyLink(document)) {
      const url = new URL(link.templated ? expand(link.href) : link.href, server.url);
      if (url.origin === new URL(server.url).origin && !visited.has(url.pathname + url.search))
        queue.push(url.pathname + url.search);
    }
  }
  return found;
}

async function everyPatternInUse(): Promise<Map<string, FoundPattern[]>> {
  const found = new Map<string, FoundPattern[]>();
  const served = await Promise.all(
    Object.keys(SCHEMAS).map(async (name) =>
      schemaConstraints(await (await server.fetch(`/schemas/${name}`)).json(), `/schemas/${name}#`),
    ),
  );
  const described = (await schemaModules()).map(([name, exports]) =>
    schemaConstraints(exports, `src/resources/${name}/schema.ts`),
  );
  found.set(
    'JSON Schema patterns (served and validating)',
    [...served, ...described].flatMap((c) => c.patterns),
  );
  found.set('HAL-FORMS regexes', await formRegexes());
  found.set('format expressions', regexesOfFormats(FORMATS));
  const source = await regexesInSource(SOURCE_DIR);
  found.set('regular expressions in src/', source.found);
  found.set(
    'routes',
    Object.values(endpoints).map((endpoint) => {
      const { regexp } = pathToRegexp(endpoint.routePath, { sensitive: true, trailing: false });
      return { source: regexp.source, flags: regexp.flags, where: `route ${endpoint.routePath}` };
    }),
  );
  found.set(
    '(unresolved)',
    source.unresolved.map((where) => ({ source: '', flags: '', where })),
  );
  return found;
}

test('every regular expression the server uses is proven linear by recheck', async (t) => {
  const found = await everyPatternInUse();
  t.deepEqual(
    found.get('(unresolved)'),
    [],
    'every new RegExp(…) takes a literal or an exported constant, so it can be checked',
  );
  for (const [kind, patterns] of found)
    if (!kind.startsWith('(')) t.true(patterns.length > 0, `found no ${kind}: the search is broken`);
  const judged = new Map<string, string>();
  const faults: string[] = [];
  for (const pattern of [...found.entries()].flatMap(([, patterns]) => patterns).filter((p) => p.source !== '')) {
    const key = `/${pattern.source}/${pattern.flags}`;
    if (!judged.has(key)) {
      const result = verdict(pattern);
      judged.set(
        key,
        result.status === 'vulnerable'
          ? `vulnerable (${result.complexity.summary}, e.g. ${result.attack.pattern})`
          : result.status === 'unknown'
            ? `unknown (${result.error.kind})`
            : 'safe',
      );
    }
    if (judged.get(key) !== 'safe') faults.push(`${pattern.where}: ${key} is ${judged.get(key)}`);
  }
  t.deepEqual(faults, []);
  t.log(
    `${judged.size} distinct expressions, all safe; found ${[...found]
      .filter(([kind]) => !kind.startsWith('('))
      .map(([kind, p]) => `${p.length} ${kind}`)
      .join(', ')}`,
  );
});

test('the checker finds the quadratic tags pattern of issue 11, so a pattern like it cannot pass', (t) => {
  const tag = '[^,\\s](?:[^,]{0,48}[^,\\s])?';
  const result = verdict({ source: `^\\s*(?:${tag}(?:\\s*,\\s*${tag}){0,19})?\\s*$`, flags: UNICODE });
  t.is(result.status, 'vulnerable');
});

test('lifting bounds keeps escapes and classes and lifts only repetition counts', (t) => {
  t.is(liftBounds('^a{0,48}b{1,2}c{2,5}?d{3}[x{0,2}]\\{0,1}$'), '^a*b+c{2,}?d{3}[x{0,2}]\\{0,1}$');
});

test('every body schema bounds each pattern and format by a maxLength beside it', async (t) => {
  let bodies = 0;
  for (const [name, exports] of await schemaModules()) {
    for (const [exported, value] of Object.entries(exports)) {
      const schema = (value as { schema?: unknown }).schema;
      if (typeof value !== 'object' || value === null || schema === undefined || !('noun' in value)) continue;
      bodies += 1;
      t.notThrows(() => lengthFirst(schema), `${name}/schema.ts ${exported}`);
    }
  }
  t.true(bodies >= 8, `found ${bodies} body descriptions`);
  t.throws(() => lengthFirst({ type: 'object', properties: { x: { type: 'string', pattern: '^a' } } }), {
    message: /#\/properties\/x: a pattern or format needs a maxLength/,
  });
  t.throws(() => lengthFirst({ type: 'string', maxLength: 9, format: 'uri' }), { message: /format "uri"/ });
});
