// Behind reverse proxies, a caller's address is what our own proxies say, never what the caller says: each proxy
// appends the address it got the request from to X-Forwarded-For, so only the TRUST_PROXY entries at the right
// are ours, and whatever a client wrote to their left (to buy itself a fresh rate-limit bucket) is ignored.
import test, { type ExecutionContext } from 'ava';
import { type TestServer, startTestServer } from '../helpers/server.ts';

/** Each test gets a server of its own, so that no other test's requests count against its limits. */
async function withServer(t: ExecutionContext, env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ ANONYMOUS_RATE_LIMIT: '3/60', ...env });
  t.teardown(() => server.close());
  return server;
}

/** Statuses of anonymous GET /faqs, one after the other, each with its own X-Forwarded-For. */
async function statuses(server: TestServer, forwardedFor: string[]): Promise<number[]> {
  const answers: number[] = [];
  for (const header of forwardedFor) {
    const response = await server.as(null).fetch('/faqs', { headers: { 'X-Forwarded-For': header } });
    await response.body?.cancel();
    answers.push(response.status);
  }
  return answers;
}

const six = (header: (i: number) => string) => Array.from({ length: 6 }, (_, i) => header(i + 1));

test('behind one proxy, forged entries on the left of X-Forwarded-For buy no new bucket: the 4th request is 429', async (t) => {
  const server = await withServer(t, { TRUST_PROXY: 'true' });
  t.deepEqual(
    await statuses(
      server,
      six((i) => `198.51.100.${i}, 203.0.113.9`),
    ),
    [200, 200, 200, 429, 429, 429],
  );
  // The entry our proxy wrote is the caller: another one has a bucket of its own.
  t.deepEqual(await statuses(server, ['198.51.100.1, 203.0.113.10']), [200]);
});

test('TRUST_PROXY=1 counts the same as true', async (t) => {
  const server = await withServer(t, { TRUST_PROXY: '1' });
  t.deepEqual(
    await statuses(
      server,
      six((i) => `10.0.0.${i}, 198.51.100.${i}, 203.0.113.9`),
    ),
    [200, 200, 200, 429, 429, 429],
  );
});

test('behind two proxies, the address the outer proxy saw is the caller, whatever the client wrote before it', async (t) => {
  const server = await withServer(t, { TRUST_PROXY: '2' });
  // client-written entries, then what the outer proxy saw (the caller), then the outer proxy as the inner one saw it
  t.deepEqual(
    await statuses(
      server,
      six((i) => `198.51.100.${i}, 203.0.113.9, 10.0.0.${i}`),
    ),
    [200, 200, 200, 429, 429, 429],
  );
  t.deepEqual(
    await statuses(server, ['203.0.113.9, 203.0.113.11, 10.0.0.1']),
    [200],
    'another caller behind the same proxies',
  );
});

test('without TRUST_PROXY (or with false or 0) X-Forwarded-For is ignored: the socket is the caller', async (t) => {
  for (const env of [{}, { TRUST_PROXY: 'false' }, { TRUST_PROXY: '0' }] as Record<string, string>[]) {
    const server = await withServer(t, env);
    t.deepEqual(
      await statuses(
        server,
        six((i) => `203.0.113.${i}`),
      ),
      [200, 200, 200, 429, 429, 429],
      JSON.stringify(env),
    );
  }
});
