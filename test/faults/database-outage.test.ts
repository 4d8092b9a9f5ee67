// A database that goes away for a while (PostgreSQL stopped and started under load; a SQLite write lock held by
// another process past the busy timeout) is a passing condition: requests get 503 with Retry-After as a problem
// document (never a hang, never a 500), /ready says so, nothing answered 2xx is lost, and the server serves
// again on its own.
import test, { type ExecutionContext } from 'ava';
import { sql } from 'kysely';
import { createTestDatabase, inspectDatabase, openTestConnection, testEngine } from '../helpers/database.ts';
import { keepBusy } from '../helpers/load.ts';
import { startPostgresCluster } from '../helpers/postgres-cluster.ts';
import { type ServerProcess, spawnServer } from '../helpers/process.ts';
import { json } from '../helpers/server.ts';
import { problemTypeUri } from '../../src/http/problem.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it holds; resolves with how long that took, or rejects after `ms`. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await check().catch(() => false)) return performance.now() - started;
    await pause(100);
  }
  throw new Error(`still not so after ${ms} ms`);
}

/** The 503 problem a server at `url` answers with (its type absolute on that server, as every address). */
const unavailable = (url: string) => ({
  type: new URL(url).origin + problemTypeUri('service-unavailable'),
  status: 503,
  title: 'Service unavailable',
});

/** While the database is down: not ready (503, Retry-After 5), and a write is a 503 problem (Retry-After 2). */
async function expectRefusedWhileDown(t: ExecutionContext, server: ServerProcess): Promise<void> {
  const ready = await server.fetch('/ready');
  t.is(ready.status, 503);
  t.is(ready.headers.get('retry-after'), '5');
  t.like(await ready.json(), { status: 'fail' });
  const write = await server.fetch(
    '/tickets',
    json('POST', { title: 'Sent while the database is down', requester: 'r@example.com' }),
  );
  t.is(write.status, 503);
  t.is(write.headers.get('content-type'), 'application/problem+json');
  t.is(write.headers.get('retry-after'), '2');
  t.like(await write.json(), unavailable(server.url));
}

if (testEngine === 'postgres') {
  test('PostgreSQL stopped under load: 503 with Retry-After meanwhile, /ready 503, then it serves again on its own, losing nothing', async (t) => {
    const cluster = await startPostgresCluster();
    const server = await spawnServer({ DATABASE_URL: cluster.url }).catch(async (error: unknown) => {
      await cluster.destroy();
      throw error;
    });
    try {
      const load = keepBusy(server.fetch, { clients: 8 });
      await pause(1000);
      // -m fast: the sessions serving the clients are terminated in the middle of their queries (57P01).
      await cluster.stop();

      await expectRefusedWhileDown(t, server);

      await cluster.start();
      const recovery = await within(10_000, async () => (await server.fetch('/ready')).status === 200);
      t.log(`ready again ${Math.round(recovery)} ms after the database started`);
      const answeredBefore = load.answers.length;
      await within(10_000, async () => load.answers.slice(answeredBefore).some((answer) => answer.status === 201));
      await load.stop();

      // No pool client stayed broken: as many requests at once as the pool has connections, and more, all succeed.
      const after = await Promise.all(
        Array.from({ length: 24 }, (_, n) =>
          server.fetch('/tickets', json('POST', { title: `after ${n}`, requester: 'r@example.com' })),
        ),
      );
      t.deepEqual([...new Set(after.map((response) => response.status))], [201]);

      const statuses = new Set(load.answers.map((answer) => answer.status));
      t.deepEqual(
        [...statuses].filter((status) => ![200, 201, 503].includes(status as number)),
        [],
        'no hang, no 500, nothing else',
      );
      const refused = load.answers.filter((answer) => answer.status === 503);
      t.true(refused.length > 0, 'requests in flight and sent meanwhile were refused');
      for (const answer of refused) {
        t.is(answer.retryAfter, '2');
        t.is(answer.contentType, 'application/problem+json');
        t.like(answer.body, unavailable(server.url));
      }
      t.is(server.child.exitCode, null, 'the server never stopped');
      t.false(server.logs.some((entry) => entry.msg === 'unhandled error'));

      // Every write answered 201 is there, as acknowledged.
      const acknowledged = load.answers.filter((answer) => answer.status === 201).map((answer) => answer.title!);
      const stored = new Set(
        await inspectDatabase(cluster.url, async (db) =>
          (await db.selectFrom('tickets').select('title').execute()).map((row) => row.title),
        ),
      );
      t.deepEqual(
        acknowledged.filter((title) => !stored.has(title)),
        [],
      );
    } finally {
      await server.stop('SIGKILL');
      await cluster.destroy();
    }
  });
} else {
  test('a SQLite write lock held by another process past the busy timeout gives 503 with Retry-After, and writes nothing', async (t) => {
    const database = await createTestDatabase();
    const server = await spawnServer({ DATABASE_URL: database.url });
    const other = openTestConnection(database.url);
    try {
      t.is(
        (await server.fetch('/tickets', json('POST', { title: 'Before the lock', requester: 'r@example.com' }))).status,
        201,
      );
      await sql`BEGIN IMMEDIATE`.execute(other);
      // Reads go on in WAL mode while another process writes.
      t.is((await server.fetch('/ready')).status, 200);
      const write = await server.fetch('/tickets', json('POST', { title: 'While locked', requester: 'r@example.com' }));
      t.is(write.status, 503);
      t.is(write.headers.get('retry-after'), '2');
      t.like(await write.json(), unavailable(server.url));
      await sql`ROLLBACK`.execute(other);

      t.is(
        (await server.fetch('/tickets', json('POST', { title: 'After the lock', requester: 'r@example.com' }))).status,
        201,
      );
      const titles = (await other.selectFrom('tickets').select('title').orderBy('id').execute()).map(
        (row) => row.title,
      );
      t.deepEqual(titles, ['Before the lock', 'After the lock']);
    } finally {
      await other.destroy();
      await server.stop();
      await database.drop();
    }
  });
}
