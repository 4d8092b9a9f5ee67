// No single request may stall the server (issue 11): a long string made to make a pattern or format backtrack
// (99,000 spaces and a comma, once 4-5 s of one event loop) is refused by its length at once, naming the field
// only by that length, while the server goes on answering others, and it changes nothing.
import { Worker } from 'node:worker_threads';
import test, { type ExecutionContext } from 'ava';
import { expectProblem, type ProblemBody } from '../helpers/problem.ts';
import {
  type Created,
  type FaqBody,
  type TicketBody,
  counts,
  createFaq,
  createTicket,
  getJson,
  snapshot,
} from '../helpers/seed.ts';
import { json, type TestServer, startTestServer } from '../helpers/server.ts';

let server: TestServer;
let ticket: Created<TicketBody>;
let faq: Created<FaqBody>;
test.before(async () => {
  server = await startTestServer();
  ticket = await createTicket(server, { tags: ['kept'] });
  faq = await createFaq(server, { question: 'Kept as it is?', answer: 'Kept.' });
});
test.after.always(() => server.close());

/** How long a liveness probe may wait while a hostile request is being handled (issue 11). */
const PROBE_BOUND_MS = 100;
const ATTEMPTS = 3;

/** Near 99 kB, inside the 100 kB body limit: the size that held the process for seconds. */
const SPACES = ' '.repeat(99_000);

/**
 * Probes GET /health back to back from a worker thread until told to stop, and reports the slowest time
 * (Infinity when one failed). A thread of its own: the test shares its event loop with the in-process server,
 * so a probe timed here could not start its clock while the loop was held, and would miss the stall.
 */
const PROBER = `
  const { workerData, parentPort } = require('node:worker_threads');
  const stop = new Int32Array(workerData.stop);
  const probe = async () => {
    const started = performance.now();
    const answered = await fetch(workerData.url).then(async (r) => (await r.arrayBuffer(), r.status === 200), () => false);
    return answered ? performance.now() - started : Infinity;
  };
  (async () => {
    await probe(); // the first one opens the connection and warms the client: not timed
    parentPort.postMessage('ready');
    let slowest = 0;
    while (Atomics.load(stop, 0) === 0) slowest = Math.max(slowest, await probe());
    parentPort.postMessage(slowest);
  })();
`;

/** Sends `init` while GET /health is probed from another thread, one probe always in flight. */
async function probedWhile(path: string, init: RequestInit): Promise<{ response: Response; slowestProbeMs: number }> {
  const stop = new SharedArrayBuffer(4);
  const prober = new Worker(PROBER, { eval: true, workerData: { url: new URL('/health', server.url).href, stop } });
  const messages = (count: number) =>
    new Promise<unknown>((resolve, reject) => {
      let seen = 0;
      prober.on('message', (message) => (seen += 1) === count && resolve(message));
      prober.once('error', reject);
    });
  const ready = messages(1);
  const slowest = messages(2) as Promise<number>;
  await ready;
  try {
    const response = await server.fetch(path, init);
    await response.clone().arrayBuffer();
    return { response, slowestProbeMs: await (Atomics.store(new Int32Array(stop), 0, 1), slowest) };
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await slowest.finally(() => prober.terminate());
  }
}

async function tokenCount(): Promise<number> {
  return (await getJson<{ page: { totalElements: number } }>(server, '/tokens')).body.page.totalElements;
}

/**
 * A hostile write must be a 400 naming `pointer` once, by its length alone (no pattern or format fault beside
 * it), with probes answered meanwhile and nothing changed: no ticket, FAQ or token appeared, the target is as it was.
 */
async function refusedByLength(
  t: ExecutionContext,
  method: string,
  path: string,
  body: object,
  pointer: string,
  maxLength: number,
): Promise<ProblemBody> {
  const target = [ticket.location, faq.location].find((location) => path === location);
  const state = async () => ({
    counts: await counts(server),
    tokens: await tokenCount(),
    target: target && (await snapshot(server, target)),
  });
  const before = await state();
  // Sent up to three times, the probes judged by the best try: a machine shared with other work may hold any
  // one probe past the bound now and then, while a request that stalls the server does so every time.
  const waits: number[] = [];
  let problem: ProblemBody | undefined;
  while (waits.length < ATTEMPTS && !(Math.min(...waits) < PROBE_BOUND_MS)) {
    const { response, slowestProbeMs } = await probedWhile(path, json(method, body));
    problem = await expectProblem(t, response, 400);
    t.deepEqual(
      problem.errors,
      [{ pointer, detail: `must NOT have more than ${maxLength} characters` }],
      `${method} ${path}`,
    );
    waits.push(slowestProbeMs);
  }
  t.true(
    Math.min(...waits) < PROBE_BOUND_MS,
    `${method} ${path}: GET /health waited ${waits.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
  t.deepEqual(await state(), before, `${method} ${path} changed something`);
  return problem!;
}

const VALID_TICKET = { title: 'Valid', requester: 'valid@example.com' };

test.serial(
  'comma-separated tags of 99,000 spaces and a comma are a prompt 400 naming #/tags at POST, PUT and PATCH, and change nothing',
  async (t) => {
    const tags = `${SPACES},`;
    await refusedByLength(t, 'POST', '/tickets', { ...VALID_TICKET, tags }, '#/tags', 1038);
    await refusedByLength(t, 'PUT', ticket.location, { ...VALID_TICKET, tags }, '#/tags', 1038);
    await refusedByLength(t, 'PATCH', ticket.location, { tags }, '#/tags', 1038);
  },
);

test.serial(
  'a ticket title, requester or tag made long to backtrack is a prompt 400 by its length, and changes nothing',
  async (t) => {
    for (const [method, path, base] of [
      ['POST', '/tickets', VALID_TICKET],
      ['PUT', ticket.location, VALID_TICKET],
      ['PATCH', ticket.location, {}],
    ] as const) {
      // Blank text is what the title's pattern looks through; an address with no end is what the email format does.
      await refusedByLength(t, method, path, { ...base, title: SPACES }, '#/title', 200);
      await refusedByLength(t, method, path, { ...base, requester: `${'a'.repeat(99_000)}@` }, '#/requester', 254);
      await refusedByLength(t, method, path, { ...base, requester: `a@${'a.'.repeat(49_500)}` }, '#/requester', 254);
      await refusedByLength(t, method, path, { ...base, tags: [`a${SPACES}`] }, '#/tags/0', 50);
    }
  },
);

test.serial(
  'an FAQ question or published answer made long to backtrack is a prompt 400 by its length, on both contracts, and changes nothing',
  async (t) => {
    await refusedByLength(t, 'POST', '/faqs', { question: SPACES }, '#/question', 500);
    await refusedByLength(t, 'PUT', faq.location, { question: SPACES, answer: 'Kept.' }, '#/question', 500);
    await refusedByLength(t, 'PATCH', faq.location, { question: SPACES }, '#/question', 500);
    // A published FAQ's answer must not be blank, and that rule repeats the answer's bound: still one fault.
    await refusedByLength(
      t,
      'POST',
      '/faqs',
      { question: 'Published?', status: 'published', answer: SPACES },
      '#/answer',
      20_000,
    );
    await refusedByLength(
      t,
      'PUT',
      faq.location,
      { question: 'Kept as it is?', status: 'published', answer: SPACES },
      '#/answer',
      20_000,
    );
    await refusedByLength(t, 'POST', '/v1/faqs', { question: SPACES }, '#/question', 500);
    await refusedByLength(t, 'PATCH', `/v1/faqs/${faq.body.id}`, { question: SPACES }, '#/question', 500);
  },
);

test.serial(
  'a token name or email made long to backtrack is a prompt 400 by its length, and mints nothing',
  async (t) => {
    await refusedByLength(t, 'POST', '/tokens', { name: SPACES, role: 'agent' }, '#/name', 100);
    await refusedByLength(
      t,
      'POST',
      '/tokens',
      { name: 'Hostile', role: 'requester', email: `${'a'.repeat(99_000)}@` },
      '#/email',
      254,
    );
  },
);

test.serial('strings within their bounds are still judged by their patterns', async (t) => {
  const tags = await expectProblem(t, await server.fetch(ticket.location, json('PATCH', { tags: 'a, , b' })), 400);
  t.deepEqual(
    tags.errors?.map((e) => e.pointer),
    ['#/tags'],
  );
  t.regex(tags.errors![0]!.detail, /must match pattern/);
  const blank = await expectProblem(
    t,
    await server.fetch('/tickets', json('POST', { ...VALID_TICKET, title: ' '.repeat(200) })),
    400,
  );
  t.deepEqual(
    blank.errors?.map((e) => [e.pointer, e.detail.split(' "')[0]]),
    [['#/title', 'must match pattern']],
  );
  const email = await expectProblem(
    t,
    await server.fetch('/tickets', json('POST', { ...VALID_TICKET, requester: `${'a'.repeat(240)}@` })),
    400,
  );
  t.deepEqual(email.errors, [{ pointer: '#/requester', detail: 'must match format "email"' }]);
  const longest = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'t'.repeat(48)}`);
  const accepted = await server.fetch(ticket.location, json('PATCH', { tags: longest.join(', ') }));
  t.is(accepted.status, 200, 'the longest list a form can show, 20 tags of 50 joined by ", ", is within the bound');
  t.deepEqual(((await accepted.json()) as TicketBody).tags, longest);
});
