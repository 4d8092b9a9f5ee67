// The request deadline: a handler still running past REQUEST_DEADLINE_MS is answered 503 with Retry-After,
// while other requests are served as usual, and the server keeps serving once the late handler finishes.
// The slow handlers wait for the test to release them, so nothing here sleeps longer than the deadline.
import test from 'ava';
import { Endpoint } from '../../src/links/registry.ts';
import { assertProblem, problemKind } from '../helpers/access-problems.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

/** A gate a slow handler waits at until the test opens it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

let server: TestServer;
let gates: ReturnType<typeof gate>[] = [];
/** How many slow handlers have run to their end (after their requests were already answered 503). */
let finished = 0;

async function waitAtGate() {
  const current = gate();
  gates.push(current);
  await current.opened;
  finished++;
}

test.before(async () => {
  server = await startTestServer({ REQUEST_DEADLINE_MS: '400' }, (routes) => {
    routes.get(new Endpoint('/slow'), async (ctx) => {
      await waitAtGate();
      ctx.body = { late: true };
    });
    routes.get(new Endpoint('/slow-failure'), async () => {
      await waitAtGate();
      throw new Error('failed after the deadline');
    });
  });
});
test.after.always(async () => {
  for (const g of gates) g.open();
  await server?.close();
});

function releaseAll() {
  const waiting = gates;
  gates = [];
  for (const g of waiting) g.open();
}

test.serial('a request past the deadline is 503 with Retry-After while a concurrent quick one is served', async (t) => {
  const before = finished;
  const slow = server.fetch('/slow');
  let slowSettled = false;
  void slow.finally(() => (slowSettled = true));
  const quick = await server.fetch('/');
  t.is(quick.status, 200);
  t.false(slowSettled, 'the quick request did not wait for the slow one');

  const late = await slow;
  const problem = await assertProblem(t, late, 503);
  t.is(problemKind(problem), 'service-unavailable');
  t.regex(late.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  t.is(late.headers.get('x-content-type-options'), 'nosniff');
  t.is(finished, before, 'answered before the handler finished');
  releaseAll();
});

test.serial(
  'the server keeps serving after late handlers finish or fail, and the next slow request is 503 again',
  async (t) => {
    const first = await Promise.all([server.fetch('/slow'), server.fetch('/slow-failure')]);
    for (const response of first) await assertProblem(t, response, 503);
    const before = finished;
    releaseAll();
    // Once the late handlers have run to their end, their answers are dropped and nothing breaks.
    while (finished < before + 2) await new Promise((resolve) => setImmediate(resolve));
    t.is((await server.fetch('/')).status, 200);
    t.is((await server.fetch('/faqs')).status, 200);
    const again = server.fetch('/slow');
    await assertProblem(t, await again, 503);
    releaseAll();
  },
);
