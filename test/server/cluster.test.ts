// WORKERS=N runs N server processes behind one port (node:cluster): each of them answers, one that dies is
// replaced, and SIGTERM to the primary drains every worker and exits 0 within 10 s.
import { request } from 'node:http';
import test, { type ExecutionContext } from 'ava';
import { RESTART_BACKOFF, restartDelay } from '../../src/cluster.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { type ServerProcess, postInTwoHalves, spawnServer } from '../helpers/process.ts';
import { startTestServer } from '../helpers/server.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET over a connection of its own (no keep-alive), so that the primary hands each request to a worker anew. */
function getOnNewConnection(url: string, path: string, requestId: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path, agent: false, headers: { 'X-Request-Id': requestId } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    })
      .on('error', reject)
      .end();
  });
}

const listeningPids = (logs: Record<string, unknown>[]) =>
  logs.filter((entry) => entry.msg === 'listening').map((entry) => entry.pid as number);

test('the pause before replacing a dead worker doubles with each recent death, up to its ceiling', (t) => {
  t.is(restartDelay(1), RESTART_BACKOFF.firstMs);
  t.is(restartDelay(2), RESTART_BACKOFF.firstMs * 2);
  t.is(restartDelay(3), RESTART_BACKOFF.firstMs * 4);
  t.is(restartDelay(50), RESTART_BACKOFF.maxMs);
});

test('a primary whose workers cannot start exits 1 rather than fork them again and again', async (t) => {
  // Nothing listens on port 1: every worker fails while opening the database, before any has listened.
  const error = await t.throwsAsync(
    spawnServer({ DATABASE_URL: 'postgres://helpdesk@127.0.0.1:1/helpdesk', WORKERS: '2' }),
  );
  t.regex(error.message, /exited \(1\) before listening/);
  t.regex(error.message, /cannot start with DATABASE_URL=postgres:\/\/helpdesk@127\.0\.0\.1:1\/helpdesk/);
});

/**
 * The processes that answered `count` requests to /health, each on a connection of its own (the primary deals
 * connections to the workers in turn), every one answered 200.
 */
async function answeringPids(t: ExecutionContext, server: ServerProcess, count: number): Promise<unknown[]> {
  const statuses = await Promise.all(
    Array.from({ length: count }, (_, n) => getOnNewConnection(server.url, '/health', `spread-${n}`)),
  );
  t.deepEqual([...new Set(statuses)], [200]);
  await server.logged((entry) => entry.requestId === `spread-${count - 1}`);
  return [
    ...new Set(server.logs.filter((entry) => String(entry.requestId).startsWith('spread-')).map((entry) => entry.pid)),
  ];
}

test('WORKERS=2 serves from two processes on one port, replaces a killed one, and SIGTERM drains both and exits 0', async (t) => {
  const database = await createTestDatabase();
  const server = await spawnServer({ DATABASE_URL: database.url, WORKERS: '2' });
  try {
    await server.logged(() => listeningPids(server.logs).length === 2, 30_000);
    const workers = listeningPids(server.logs);
    t.is(new Set(workers).size, 2, 'two processes listen');
    t.false(workers.includes(server.child.pid!), 'the primary serves nothing itself');
    t.true(
      workers.every((pid) =>
        server.logs.some((entry) => entry.msg === 'listening' && entry.pid === pid && entry.url === server.url),
      ),
      'on one port',
    );

    t.deepEqual((await answeringPids(t, server, 12)).sort(), [...workers].sort(), 'both workers answered');

    // A worker that dies unexpectedly is replaced, and the port keeps answering meanwhile.
    process.kill(workers[0]!, 'SIGKILL');
    await server.logged((entry) => entry.msg === 'a worker died' && entry.worker === workers[0]);
    const replacement = await server.logged(
      (entry) => entry.msg === 'listening' && !workers.includes(entry.pid as number),
      30_000,
    );
    t.is(replacement.url, server.url);
    t.is(await getOnNewConnection(server.url, '/health', 'after-replacement'), 200);

    // SIGTERM to the primary: a request in the middle of its body still gets its answer, with Connection: close.
    const body = Buffer.from(
      JSON.stringify({ title: 'Sent while the workers stop', requester: 'patient@example.com' }),
    );
    let signalled = 0;
    const finished = await postInTwoHalves(server, body, 10, async () => {
      signalled = performance.now();
      server.child.kill('SIGTERM');
      await pause(500);
    });
    t.is(finished.status, 201);
    t.is(finished.connection, 'close');
    t.is(await server.exited, 0);
    t.true(performance.now() - signalled < 10_000, 'exited within 10 s of the signal');
    const live = [workers[1]!, replacement.pid as number];
    for (const pid of [...live, server.child.pid!])
      t.true(
        server.logs.some((entry) => entry.msg === 'stopped' && entry.pid === pid),
        `process ${pid} stopped cleanly`,
      );
    t.throws(() => process.kill(live[0]!, 0), { code: 'ESRCH' }, 'no worker outlives the primary');
    t.throws(() => process.kill(live[1]!, 0), { code: 'ESRCH' });

    // The write answered during the drain is there for the next server on this database.
    const next = await startTestServer({ DATABASE_URL: database.url });
    try {
      const listing = (await (await next.fetch('/tickets')).json()) as { _embedded: { tickets: { title: string }[] } };
      t.deepEqual(
        listing._embedded.tickets.map((ticket) => ticket.title),
        ['Sent while the workers stop'],
      );
    } finally {
      await next.close();
    }
  } finally {
    await server.stop('SIGKILL');
    await database.drop();
  }
});
