// Limits of 200 requests a window and more are counted in memory, from blocks of points reserved in the database
// (1% of the limit): to the caller they look exactly as before on one instance, and across instances the shared
// count is never exceeded, while at most a block per instance goes unused.
import test, { type ExecutionContext } from 'ava';
import { assertProblem, problemKind } from '../helpers/access-problems.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

/** 300 a minute: blocks of 3. */
const POINTS = 300;
const BLOCK = 3;

async function withServer(t: ExecutionContext, env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer(env);
  t.teardown(() => server.close());
  return server;
}

async function assertLimited(t: ExecutionContext, response: Response, policy: string) {
  const problem = await assertProblem(t, response, 429);
  t.is(problemKind(problem), 'too-many-requests');
  t.regex(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  t.is(response.headers.get('ratelimit-policy'), policy);
  t.regex(response.headers.get('ratelimit') ?? '', /^limit=\d+, remaining=0, reset=[1-9]\d*$/);
}

/** Sends `count` requests, `lanes` at a time; the answers in the order they were sent. */
async function concurrently(count: number, lanes: number, send: (n: number) => Promise<Response>): Promise<Response[]> {
  const answers: Response[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) {
        const n = next++;
        answers[n] = await send(n);
      }
    }),
  );
  return answers;
}

test('with blocks of 3, one instance admits exactly 300 requests a minute, counting remaining down 299 to 0, then 429', async (t) => {
  const server = await withServer(t, { RATE_LIMIT: `${POINTS}/60` });
  const remaining: number[] = [];
  for (let n = 1; n <= POINTS; n++) {
    const response = await server.fetch('/');
    t.is(response.status, 200);
    t.is(response.headers.get('ratelimit-policy'), '300;w=60');
    const header = /^limit=300, remaining=(\d+), reset=([1-9]\d*)$/.exec(response.headers.get('ratelimit') ?? '');
    t.truthy(header, String(response.headers.get('ratelimit')));
    remaining.push(Number(header?.[1]));
  }
  t.deepEqual(
    remaining,
    Array.from({ length: POINTS }, (_, n) => POINTS - 1 - n),
  );
  await assertLimited(t, await server.fetch('/'), '300;w=60');
  await assertLimited(t, await server.fetch('/tickets'), '300;w=60');
});

/** Two instances on one database, with one admin token and a limit of POINTS a minute; gone when the test ends. */
async function twoInstances(t: ExecutionContext) {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const shared = {
    DATABASE_URL: database.url,
    ADMIN_TOKEN: `shared-admin-${'s'.repeat(32)}`,
    RATE_LIMIT: `${POINTS}/60`,
  };
  return [await withServer(t, shared), await withServer(t, shared)] as const;
}

test('two instances with blocks, under concurrent requests for twice the limit, admit no more than it and at most two blocks fewer', async (t) => {
  const [first, second] = await twoInstances(t);

  const answers = await concurrently(2 * POINTS, 16, (n) => (n % 2 === 0 ? first : second).fetch('/'));
  const admitted = answers.filter((response) => response.status === 200);
  const refused = answers.filter((response) => response.status !== 200);
  t.log(`${admitted.length} admitted, ${refused.length} refused`);
  t.true(admitted.length <= POINTS, `${admitted.length} admitted`);
  t.true(admitted.length >= POINTS - 2 * BLOCK, `${admitted.length} admitted`);
  for (const response of admitted) await response.arrayBuffer();
  for (const response of refused) await assertLimited(t, response, '300;w=60');
  // Each instance, once refused, stays refused for the window: nothing was admitted late.
  await assertLimited(t, await first.fetch('/'), '300;w=60');
  await assertLimited(t, await second.fetch('/'), '300;w=60');
});

test('concurrent requests for one caller reserve only the blocks they spend: another instance sees the rest', async (t) => {
  const [first, second] = await twoInstances(t);

  const answers = await Promise.all(Array.from({ length: 30 }, () => first.fetch('/')));
  t.deepEqual(
    answers.map((response) => response.status),
    new Array(30).fill(200),
  );
  // Thirty requests take ten blocks (30 points); the other instance then takes a block and spends one of it.
  const response = await second.fetch('/');
  t.is(response.status, 200);
  t.is(
    response.headers.get('ratelimit')?.replace(/, reset=\d+$/, ''),
    `limit=300, remaining=${POINTS - 10 * BLOCK - 1}`,
  );
});

test('when the window ends, a refused caller is admitted again, with the whole limit before it', async (t) => {
  // 200 every 3 s: blocks of 2, and a window short enough to wait for.
  const server = await withServer(t, { RATE_LIMIT: '200/3' });
  let refusal: Response | undefined;
  for (let sent = 0; !refusal && sent < 5000; sent += 20) {
    const answers = await Promise.all(Array.from({ length: 20 }, () => server.fetch('/')));
    refusal = answers.find((response) => response.status === 429);
    for (const response of answers) if (response !== refusal) await response.arrayBuffer();
  }
  if (!refusal) return t.fail('never refused');
  await assertLimited(t, refusal, '200;w=3');
  const retryAfter = Number(refusal.headers.get('retry-after'));
  t.true(retryAfter <= 3, `Retry-After ${retryAfter}`);

  await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  const again = await server.fetch('/');
  t.is(again.status, 200);
  t.regex(again.headers.get('ratelimit') ?? '', /^limit=200, remaining=199, reset=[1-3]$/);
});
