// Issue 11, "no single request may stall the server": hostile text (test/helpers/pathological.ts) in every string
// field of every request body and in every query parameter, each sent to its route as a role allowed to use it,
// while GET /health is asked every 20 ms. Each request must get a 4xx problem (or a success) within 500 ms,
// no /health probe may wait over 100 ms, and a refused request leaves every row of the database as it was.
// The fields come from the server itself: the string properties of the body schemas its routes validate with,
// and the query variables of the registry's templates; a write route that no entry here covers fails the
// coverage test. Runs per field are few (ABUSE_RUNS, default 3, after three fixed worst cases) to keep CI quick.
import { PerformanceObserver } from 'node:perf_hooks';
import type { TSchema } from '@sinclair/typebox';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { type Endpoint, endpoints } from '../../src/links/registry.ts';
import { createFaq as faqCreate, patchFaq } from '../../src/resources/faqs/schema.ts';
import { SCHEMAS } from '../../src/resources/schemas/routes.ts';
import { createTicket as ticketCreate, mergeTicket, patchTicket } from '../../src/resources/tickets/schema.ts';
import { mintToken } from '../../src/resources/tokens/schema.ts';
import { createV1Faq, patchV1Faq } from '../../src/resources/v1/schema.ts';
import type { Database } from '../../src/store/schema.ts';
import { problemShapeErrors } from '../helpers/access-problems.ts';
import { openTestConnection } from '../helpers/database.ts';
import { failureOf, watchHealth } from '../helpers/health-watch.ts';
import { type ImportBody, submitImport, untilFinished } from '../helpers/imports.ts';
import {
  type Hostile,
  SHAPES,
  describe,
  hostileText,
  jsonBytes,
  largestFitting,
  queryBytes,
  queryValue,
} from '../helpers/pathological.ts';
import { createFaq, createTicket, unique } from '../helpers/seed.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

/** The bounds the issue names. */
const ANSWER_MS = 500;
const HEALTH_MS = 100;
const PROBE_EVERY_MS = 20;

const RUNS = Number(process.env.ABUSE_RUNS ?? 3);
/** What a hostile value may take of a 100 kB body (102,400 bytes), leaving room for the rest of the body. */
const BODY_BUDGET = 100_000;
/** An import may be 10 MB: its rows get more, past the 140,000 spaces of the worst row the issue names. */
const IMPORT_BUDGET = 150_000;
/** Node refuses request heads over 16 kB before the app sees them (431): a query value stays under that. */
const QUERY_BUDGET = 12_000;

type Role = 'admin' | 'agent' | 'requester';
const REQUESTER_EMAIL = 'abuse-requester@customers.example';

let server: TestServer;
let database: Kysely<Database>;
const tokens = {} as Record<Role, string>;
let ticket: string;
let ownTicket: string;
let faq: string;
let v1Faq: string;
let importJob: number;

test.before(async () => {
  server = await startTestServer({ IMPORT_POLL_MS: '50' });
  database = openTestConnection(server.config.databaseUrl);
  tokens.admin = server.adminToken;
  tokens.agent = await server.mint('agent');
  tokens.requester = await server.mint('requester', 'abuse-requester', REQUESTER_EMAIL);
  ticket = (await createTicket(server)).location;
  ownTicket = (await createTicket(server, { requester: REQUESTER_EMAIL })).location;
  const created = await createFaq(server, { answer: 'Kept.' });
  faq = created.location;
  v1Faq = endpoints.v1Faq.href({ id: created.body.id });
  const submitted = await submitImport(server.fetch, [
    { title: unique('Imported'), requester: 'customer@example.com' },
  ]);
  importJob = (await untilFinished(server.fetch, submitted.location)).id; // done, so it writes nothing while we watch
});
test.after.always(async () => {
  await database?.destroy();
  await server?.close();
});

// ---- Where text can go, from the server's own schemas and templates ----

/** Every way a schema takes a string: itself, as an array item, or as a member of a union. */
function stringPlaces(schema: TSchema, pointer: string): { pointer: string; place: (text: string) => unknown }[] {
  if (schema.type === 'string') return [{ pointer, place: (text) => text }];
  if (schema.type === 'array')
    return stringPlaces(schema.items as TSchema, `${pointer}/0`).map(({ pointer: inner, place }) => ({
      pointer: inner,
      place: (text) => [place(text)],
    }));
  if (Array.isArray(schema.anyOf))
    return (schema.anyOf as TSchema[]).flatMap((member) => stringPlaces(member, pointer));
  return [];
}

interface Field {
  pointer: string;
  /** The body's properties with this field set to `text`. */
  fill(text: string): Record<string, unknown>;
}

/** Every string field of an object schema, each where it sits in a body. */
function stringFields(schema: TSchema): Field[] {
  return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([name, property]) =>
    stringPlaces(property, `#/${name}`).map(({ pointer, place }) => ({
      pointer,
      fill: (text: string) => ({ [name]: place(text) }),
    })),
  );
}

interface Write {
  method: 'POST' | 'PUT' | 'PATCH';
  endpoint: Endpoint;
  path: () => string;
  schema: TSchema;
  as: Role;
  /** A valid body the hostile field is written into, so that field is the one judged. */
  base: () => Record<string, unknown>;
}

const ticketBase = () => ({ title: unique('Abuse'), requester: 'customer@example.com' });
const faqBase = () => ({ question: unique('How do I') });

/** Every write that reads a JSON body, as a role allowed to send it (requesters too, where their rules differ). */
const WRITES: Write[] = [
  {
    method: 'POST',
    endpoint: endpoints.tickets,
    path: () => endpoints.tickets.href(),
    schema: ticketCreate.schema,
    as: 'agent',
    base: ticketBase,
  },
  {
    method: 'POST',
    endpoint: endpoints.tickets,
    path: () => endpoints.tickets.href(),
    schema: ticketCreate.schema,
    as: 'requester',
    base: () => ({ title: unique('Abuse') }),
  },
  {
    method: 'PUT',
    endpoint: endpoints.ticket,
    path: () => ticket,
    schema: ticketCreate.schema,
    as: 'agent',
    base: ticketBase,
  },
  {
    method: 'PATCH',
    endpoint: endpoints.ticket,
    path: () => ticket,
    schema: patchTicket.schema,
    as: 'agent',
    base: () => ({}),
  },
  {
    method: 'PATCH',
    endpoint: endpoints.ticket,
    path: () => ownTicket,
    schema: patchTicket.schema,
    as: 'requester',
    base: () => ({}),
  },
  {
    method: 'POST',
    endpoint: endpoints.ticketMerge,
    path: () => `${ticket}/merge`,
    schema: mergeTicket.schema,
    as: 'agent',
    base: () => ({}),
  },
  {
    method: 'POST',
    endpoint: endpoints.faqs,
    path: () => endpoints.faqs.href(),
    schema: faqCreate.schema,
    as: 'agent',
    base: faqBase,
  },
  { method: 'PUT', endpoint: endpoints.faq, path: () => faq, schema: faqCreate.schema, as: 'agent', base: faqBase },
  { method: 'PATCH', endpoint: endpoints.faq, path: () => faq, schema: patchFaq.schema, as: 'agent', base: () => ({}) },
  {
    method: 'POST',
    endpoint: endpoints.tokens,
    path: () => endpoints.tokens.href(),
    schema: mintToken.schema,
    as: 'admin',
    base: () => ({ name: 'abuse', role: 'agent' }),
  },
  {
    method: 'POST',
    endpoint: endpoints.v1Faqs,
    path: () => endpoints.v1Faqs.href(),
    schema: createV1Faq.schema,
    as: 'agent',
    base: faqBase,
  },
  {
    method: 'PATCH',
    endpoint: endpoints.v1Faq,
    path: () => v1Faq,
    schema: patchV1Faq.schema,
    as: 'agent',
    base: () => ({}),
  },
];

/** Writes with no body to abuse (they act on the resource at their address). */
const BODILESS = [
  { method: 'POST', endpoint: endpoints.ticketPromote },
  { method: 'POST', endpoint: endpoints.faqPublish },
];

/** A concrete path of any endpoint, for asking which methods it allows. */
const anyPath = (endpoint: Endpoint) => endpoint.path.replace(/\{\w+\}/g, '1');

// ---- What is checked around every request ----

const TABLES = ['tickets', 'faqs', 'faq_related', 'tokens', 'counters'] as const;

/** Every row the API keeps, straight from the database, by table (rows sorted, as neither engine promises an order). */
async function rows(tables: readonly (keyof Database)[] = TABLES): Promise<Record<string, string>> {
  const all = await Promise.all(
    tables.map(async (table) => [
      table,
      JSON.stringify((await database.selectFrom(table).selectAll().execute()).map((row) => JSON.stringify(row)).sort()),
    ]),
  );
  return Object.fromEntries(all);
}

/** The tables whose rows differ between two readings (none when the data is unchanged). */
const changedTables = (before: Record<string, string>, after: Record<string, string>) =>
  Object.keys(before).filter((table) => before[table] !== after[table]);

interface Sent {
  status: number;
  ms: number;
  text: string;
  contentType: string | null;
}

/** Sends a request and times it to the last byte of the answer; a failed connection is status 0. */
async function timed(send: () => Promise<Response>): Promise<Sent> {
  const started = performance.now();
  try {
    const response = await send();
    const text = await response.text();
    return {
      status: response.status,
      ms: performance.now() - started,
      text,
      contentType: response.headers.get('content-type'),
    };
  } catch (error) {
    return { status: 0, ms: performance.now() - started, text: failureOf(error), contentType: null };
  }
}

/** Every rule the issue sets for one answer; the faults, in words (none when all hold). */
/**
 * The longest garbage collection in this process (the server's and the test's) while watched, and the CPU time
 * the process used meanwhile. A collection pauses the event loop as a stall does; a stall burns CPU where a
 * machine busy with other work does not: a failure names both, to tell the causes apart (the bound itself stays).
 */
function watchGarbageCollection(): { stop(): { gcMs: number; cpuMs: number } } {
  const cpu = process.cpuUsage();
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      for (const entry of observer.takeRecords()) longest = Math.max(longest, entry.duration);
      observer.disconnect();
      const used = process.cpuUsage(cpu);
      return { gcMs: longest, cpuMs: (used.user + used.system) / 1000 };
    },
  };
}

/** What broke: the rules about the answer itself, and those about time (which a loaded machine can break alone). */
interface Faults {
  lasting: string[];
  timing: string[];
}

function answerFaults(
  sent: Sent,
  health: { worstMs: number; failures: string[] },
  { gcMs, cpuMs }: { gcMs: number; cpuMs: number },
): Faults {
  const lasting = [...health.failures];
  if (sent.status === 0) lasting.push(`no answer: ${sent.text}`);
  if (sent.status >= 500) lasting.push(`a server error ${sent.status}: ${sent.text.slice(0, 300)}`);
  if (sent.status >= 400 && sent.status < 500) {
    let body: unknown;
    try {
      body = JSON.parse(sent.text);
    } catch {
      body = undefined;
    }
    const shape = problemShapeErrors(sent.status, sent.contentType, body);
    if (shape.length > 0) lasting.push(`a ${sent.status} that is not a problem document (${shape.join('; ')})`);
  }
  const timing: string[] = [];
  if (sent.ms > ANSWER_MS) timing.push(`answered after ${sent.ms.toFixed(0)} ms (bound ${ANSWER_MS})`);
  if (health.worstMs > HEALTH_MS) timing.push(`/health waited ${health.worstMs.toFixed(0)} ms (bound ${HEALTH_MS})`);
  if (timing.length > 0)
    timing.push(
      `meanwhile this process used ${cpuMs.toFixed(0)} ms of CPU, its longest garbage collection ${gcMs.toFixed(0)} ms`,
    );
  return { lasting, timing };
}

/**
 * Tries at a request whose only faults are of time. The machines these tests run on are shared (2 cores, other
 * test files beside this one): a probe can wait past the bound while this process is not even scheduled. A real
 * stall breaks the bound on every try (before the fixes: 15-50 s, each time); load rarely does three times.
 */
const TIMING_TRIES = 3;

/** One try: what was seen, in a line, and what broke. */
interface Try {
  summary: string;
  faults: Faults;
}

/** Runs `once` until a try breaks nothing, a try breaks a rule other than time, or the tries are spent; throws then. */
async function judged<T>(once: () => Promise<Try & { result: T }>): Promise<T> {
  const seenTries: string[] = [];
  for (let attempt = 1; ; attempt += 1) {
    const { summary, faults, result } = await once();
    const all = [...faults.lasting, ...faults.timing];
    if (all.length === 0) return result;
    seenTries.push(`${summary}: ${all.join('; ')}`);
    if (faults.lasting.length > 0 || attempt >= TIMING_TRIES) throw new Error(seenTries.join('\n      then '));
  }
}

/**
 * Sends one hostile request while /health is watched; throws, saying exactly what was sent and seen, on any broken
 * rule. A refusal must leave every row as it was; so must any answer to a `safe` request (a GET).
 */
function abuse(what: string, send: () => Promise<Response>, safe = false): Promise<Sent> {
  return judged(async () => {
    const before = await rows();
    const gc = watchGarbageCollection();
    const health = watchHealth(server.url, PROBE_EVERY_MS);
    const sent = await timed(send);
    const seen = await health.stop();
    const faults = answerFaults(sent, seen, gc.stop());
    const changed = sent.status >= 400 || safe ? changedTables(before, await rows()) : [];
    if (changed.length > 0)
      faults.lasting.push(`${safe ? 'the request' : 'the refusal'} changed the data (${changed.join(', ')})`);
    return {
      result: sent,
      faults,
      summary: `${what} -> ${sent.status} in ${sent.ms.toFixed(0)} ms, /health worst ${seen.worstMs.toFixed(0)} ms over ${seen.probes} probes`,
    };
  });
}

/** The three worst cases every field meets first, each at its largest size, then `RUNS` drawn at random. */
function worstCases(budget: number, size: (text: string) => number): [Hostile][] {
  return ['spaces then ","', '"a@" + "a." repeated', '"[" nested then "]"'].map((name) => {
    const found = SHAPES.find((s) => s.name === name)!;
    const n = largestFitting(found, budget, size);
    return [{ shape: found.name, n, text: found.build(n) }];
  });
}

/** Runs `check` on hostile text for one field; the failure (with its seed, for replay), if any, in words. */
async function propertyFailure(
  budget: number,
  size: (text: string) => number,
  check: (hostile: Hostile) => Promise<void>,
): Promise<string | undefined> {
  const details = await fc.check(fc.asyncProperty(hostileText(budget, size), check), {
    numRuns: RUNS + 3,
    examples: worstCases(budget, size),
    // Shrinking would replay a stalling input dozens of times; the first counterexample is named in full instead.
    endOnFailure: true,
  });
  if (!details.failed) return undefined;
  const [hostile] = details.counterexample ?? [];
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `${hostile ? describe(hostile) : '?'}\n    ${error}\n    (fast-check seed ${details.seed}, path "${details.counterexamplePath}")`;
}

/** Fails the test with every field's counterexample at once, so one run names them all. */
function report(t: ExecutionContext, failures: string[], checked: number): void {
  t.log(`${checked} fields checked`);
  if (failures.length > 0) t.fail(`${failures.length} of ${checked} fields broke a rule:\n\n${failures.join('\n\n')}`);
  else t.pass();
}

const asRole = (role: Role) => server.as(tokens[role]);
const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

// ---- The tests ----

test.serial(
  'the writes abused here are exactly those the server allows, and every body schema it publishes is sent',
  async (t) => {
    const covered = new Set(WRITES.map((w) => `${w.method} ${w.endpoint.template}`));
    for (const { method, endpoint } of BODILESS) covered.add(`${method} ${endpoint.template}`);
    covered.add(`POST ${endpoints.imports.template}`); // its rows: the import test below
    const allowed = new Set<string>();
    for (const endpoint of Object.values(endpoints)) {
      const response = await server.fetch(anyPath(endpoint), { method: 'OPTIONS' });
      for (const method of (response.headers.get('allow') ?? '').split(',').map((m) => m.trim())) {
        if (['POST', 'PUT', 'PATCH'].includes(method)) allowed.add(`${method} ${endpoint.template}`);
      }
    }
    // A write the server gained is abused nowhere; one it lost leaves an entry here proving nothing.
    t.deepEqual([...allowed].sort(), [...covered].sort());
    const sent = new Set(WRITES.map((w) => w.schema));
    for (const [name, schema] of Object.entries(SCHEMAS).filter(([name]) => /-(create|patch|merge)$/.test(name))) {
      t.true(sent.has(schema), `the published schema "${name}" is never sent`);
    }
  },
);

for (const write of WRITES) {
  test.serial(
    `hostile text in any field of ${write.method} ${write.endpoint.template} as ${write.as}: a quick answer, /health never waits, a refusal changes nothing`,
    async (t) => {
      t.timeout(600_000);
      const fields = stringFields(write.schema);
      const failures: string[] = [];
      for (const field of fields) {
        const budget = BODY_BUDGET - Buffer.byteLength(JSON.stringify(write.base()));
        const failure = await propertyFailure(budget, jsonBytes, async (hostile) => {
          const body = { ...write.base(), ...field.fill(hostile.text) };
          const path = write.path();
          await abuse(`${write.method} ${path} as ${write.as} with ${field.pointer} = ${describe(hostile)}`, () =>
            asRole(write.as).fetch(path, jsonInit(write.method, body)),
          );
        });
        if (failure)
          failures.push(`${write.method} ${write.endpoint.template} as ${write.as}, ${field.pointer}: ${failure}`);
      }
      report(t, failures, fields.length);
    },
  );
}

test.serial(
  'hostile text in any field of an import row: a quick 202, /health never waits while the row is judged, a refused row creates nothing',
  async (t) => {
    t.timeout(600_000);
    const fields = stringFields(ticketCreate.schema);
    const failures: string[] = [];
    for (const field of fields) {
      const budget = IMPORT_BUDGET - Buffer.byteLength(JSON.stringify(ticketBase()));
      const failure = await propertyFailure(budget, jsonBytes, async (hostile) => {
        const row = { ...ticketBase(), ...field.fill(hostile.text) };
        const what = `POST /imports as agent, one row with ${field.pointer} = ${describe(hostile)}`;
        await judged(async () => {
          const before = await rows(['tickets']);
          const gc = watchGarbageCollection();
          const health = watchHealth(server.url, PROBE_EVERY_MS);
          const sent = await timed(() => asRole('agent').fetch(endpoints.imports.href(), jsonInit('POST', [row])));
          let job: ImportBody | undefined;
          let lost: string | undefined;
          if (sent.status === 202) {
            const location = endpoints.import.href({ id: (JSON.parse(sent.text) as ImportBody).id });
            job = await untilFinished(asRole('agent').fetch, location, { everyMs: PROBE_EVERY_MS }).catch(
              (error: unknown) => ((lost = failureOf(error)), undefined),
            );
          }
          const seen = await health.stop();
          const faults = answerFaults(sent, seen, gc.stop());
          if (lost) faults.lasting.push(`following the job failed: ${lost}`);
          if (job && job.state !== 'done') faults.lasting.push(`the job ended ${job.state}: ${job.failure ?? ''}`);
          if (
            (sent.status >= 400 || job?.progress.rejected === 1) &&
            changedTables(before, await rows(['tickets'])).length > 0
          )
            faults.lasting.push('the refused row changed the tickets');
          return {
            result: undefined,
            faults,
            summary: `${what} -> ${sent.status} in ${sent.ms.toFixed(0)} ms, job ${job?.state ?? '-'}, /health worst ${seen.worstMs.toFixed(0)} ms`,
          };
        });
      });
      if (failure) failures.push(`POST /imports row ${field.pointer}: ${failure}`);
    }
    report(t, failures, fields.length);
  },
);

test.serial(
  'hostile text in any query parameter of any template: a quick answer, /health never waits, nothing changes',
  async (t) => {
    t.timeout(600_000);
    const templated = Object.values(endpoints).filter((endpoint) => endpoint.query.length > 0);
    const failures: string[] = [];
    let checked = 0;
    for (const endpoint of templated) {
      const path = endpoint.path.replace('{id}', String(importJob));
      t.false(/\{/.test(path), `${endpoint.template}: no value for its path variables`);
      for (const variable of endpoint.query) {
        checked += 1;
        const failure = await propertyFailure(QUERY_BUDGET, queryBytes, async (hostile) => {
          const url = `${path}?${variable}=${queryValue(hostile.text)}`;
          await abuse(`GET ${path}?${variable}= ${describe(hostile)} as admin`, () => asRole('admin').fetch(url), true);
        });
        if (failure) failures.push(`GET ${endpoint.template} ?${variable}: ${failure}`);
      }
    }
    report(t, failures, checked);
  },
);
