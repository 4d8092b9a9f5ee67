// Every request leaves one JSON line on stdout (pino) carrying its request id: the caller's X-Request-Id when it
// is a sane one, a fresh UUID otherwise, and either way echoed in the answer so that the two can be matched.
import { once } from 'node:events';
import test from 'ava';
import { createTestDatabase } from '../helpers/database.ts';
import { type ServerProcess, spawnServer, spawnServerWithDatabase } from '../helpers/process.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: ServerProcess;
let dropDatabase: () => Promise<void> = async () => {};
test.before(async () => {
  const database = await createTestDatabase();
  dropDatabase = database.drop;
  server = await spawnServer({ DATABASE_URL: database.url });
});
test.after.always(async () => {
  await server?.stop();
  await dropDatabase();
});

/** The request lines logged for `requestId`, once the line has been written. */
async function linesFor(requestId: string): Promise<Record<string, unknown>[]> {
  await server.logged((entry) => entry.requestId === requestId);
  // Give a second line, if the server wrongly wrote one, the time to arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return server.logs.filter((entry) => entry.requestId === requestId);
}

test('a request with an X-Request-Id gets it back, and leaves exactly one JSON line with it', async (t) => {
  const response = await server.fetch('/tickets?size=2', { headers: { 'X-Request-Id': 'trace-7f3a.b2:1' } });
  t.is(response.status, 200);
  t.is(response.headers.get('x-request-id'), 'trace-7f3a.b2:1');
  const lines = await linesFor('trace-7f3a.b2:1');
  t.is(lines.length, 1);
  t.like(lines[0], { msg: 'request', method: 'GET', url: '/tickets?size=2', status: 200, pid: server.child.pid });
  t.is(typeof lines[0]!.ms, 'number');
  t.is(typeof lines[0]!.time, 'number');
});

test('a request without one gets a fresh UUID, the same in the answer and in the log line', async (t) => {
  const first = await server.fetch('/');
  const second = await server.fetch('/');
  const [a, b] = [first.headers.get('x-request-id')!, second.headers.get('x-request-id')!];
  t.regex(a, UUID);
  t.regex(b, UUID);
  t.not(a, b);
  t.like((await linesFor(a))[0], { method: 'GET', url: '/', status: 200 });
  t.is((await linesFor(a)).length, 1);
});

test('failures are logged with their status, under the request id the client sent', async (t) => {
  const missing = await server.fetch('/tickets/999999', { headers: { 'X-Request-Id': 'lost-ticket' } });
  t.is(missing.status, 404);
  const anonymous = await server.fetch('/tickets', {
    method: 'POST',
    headers: { 'X-Request-Id': 'no-token', Authorization: 'Bearer nonsense' },
  });
  t.is(anonymous.status, 401);
  t.like((await linesFor('lost-ticket'))[0], { method: 'GET', status: 404 });
  t.like((await linesFor('no-token'))[0], { method: 'POST', status: 401 });
});

test('an X-Request-Id that could forge or flood the logs is replaced by a UUID, and never written', async (t) => {
  const forged = ['two words', 'x'.repeat(129), 'a"b', '<script>', 'line\u00e9'];
  for (const given of forged) {
    const response = await server.fetch('/health', { headers: { 'X-Request-Id': given } });
    t.is(response.status, 200);
    const echoed = response.headers.get('x-request-id')!;
    t.regex(echoed, UUID, given);
    t.is((await linesFor(echoed)).length, 1);
    t.false(
      server.logs.some((entry) => JSON.stringify(entry).includes(JSON.stringify(given).slice(1, -1))),
      given,
    );
  }
});

test('everything the server writes on stdout is a JSON line', async (t) => {
  await server.fetch('/faqs', { headers: { 'X-Request-Id': 'last-one' } });
  await linesFor('last-one');
  t.true(server.logs.length > 0);
  t.deepEqual(server.otherOutput, []);
});

test('lines are written asynchronously, yet none is lost when the server stops on SIGTERM right after answering', async (t) => {
  const own = await spawnServerWithDatabase();
  t.teardown(() => own.close());
  const ids = Array.from({ length: 200 }, (_, n) => `burst-${n}`);
  // In bursts of 50 at once, so that lines pile up behind a write under way; SIGTERM as the last answer arrives.
  for (let start = 0; start < ids.length; start += 50) {
    await Promise.all(
      ids
        .slice(start, start + 50)
        .map(async (id) => (await own.fetch('/tickets?size=1', { headers: { 'X-Request-Id': id } })).text()),
    );
  }
  // 'close' comes once stdout has ended too, after every line it carried was read.
  const closed = once(own.child, 'close');
  t.is(await own.stop('SIGTERM'), 0);
  await closed;
  const logged = new Set(own.logs.map((entry) => entry.requestId));
  t.deepEqual(
    ids.filter((id) => !logged.has(id)),
    [],
  );
  // And the lines after them: the shutdown's own, down to the last one before exit.
  t.truthy(own.logs.find((entry) => entry.msg === 'shutting down'));
  t.truthy(own.logs.find((entry) => entry.msg === 'stopped'));
});
