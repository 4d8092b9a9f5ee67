// SIGTERM stops the server without cutting anyone off: it stops accepting, lets the request in flight finish
// (answered with Connection: close), closes the database and exits 0 within 10 s; the write it answered is kept.
// A client that never finishes its request is cut off at the end of the grace period, so the 10 s still hold.
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import test from 'ava';
import { SHUTDOWN_GRACE_MS } from '../../src/server.ts';
import { createTestDatabase, testEngine } from '../helpers/database.ts';
import { postInTwoHalves, spawnServer } from '../helpers/process.ts';
import { startTestServer } from '../helpers/server.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True once nothing listens on the server's port any more (bounded: about 2 s). */
async function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    if (refused) return true;
    await pause(50);
  }
  return false;
}

test('SIGTERM lets a request in the middle of its body finish, closes its connection, and exits 0 within 10 s', async (t) => {
  const database = await createTestDatabase();
  try {
    const server = await spawnServer({ DATABASE_URL: database.url });
    const { hostname, port } = new URL(server.url);

    // An idle keep-alive connection must not hold the shutdown up.
    const agent = new Agent({ keepAlive: true });
    t.is((await server.fetch('/health')).status, 200);
    await new Promise<void>((resolve, reject) =>
      request({ host: hostname, port, path: '/health', agent }, (r) => (r.resume(), r.on('end', resolve)))
        .on('error', reject)
        .end(),
    );

    let signalled = 0;
    const body = Buffer.from(
      JSON.stringify({
        title: 'Sent while the server stops',
        requester: 'patient@example.com',
        description: 'x'.repeat(2000),
      }),
    );
    // The rest of the body comes once the server has been told to stop and has stopped listening.
    const finished = await postInTwoHalves(server, body, 1000, async () => {
      signalled = performance.now();
      server.child.kill('SIGTERM');
      t.true(await refusesConnections(server.url), 'no new connections after SIGTERM');
    });
    t.is(finished.status, 201, finished.body);
    t.is(finished.connection, 'close');
    const { id } = JSON.parse(finished.body) as { id: number };

    const code = await server.exited;
    t.is(code, 0);
    t.true(performance.now() - signalled < 10_000, 'exited within 10 s of the signal');
    t.true(server.logs.some((entry) => entry.msg === 'shutting down' && entry.signal === 'SIGTERM'));
    t.true(server.logs.some((entry) => entry.msg === 'stopped'));
    if (testEngine === 'sqlite') {
      // SQLite folds the write-ahead log back into the file and removes it when the last connection closes
      // cleanly; a process that just died would leave it behind.
      const file = database.url.slice('file:'.length);
      t.true(existsSync(file));
      t.false(existsSync(`${file}-wal`), 'the database was closed');
    }
    agent.destroy();

    // The answered write is in the database for the next instance.
    const next = await startTestServer({ DATABASE_URL: database.url });
    try {
      const ticket = await next.fetch(`/tickets/${id}`);
      t.is(ticket.status, 200);
      t.like(await ticket.json(), { title: 'Sent while the server stops' });
    } finally {
      await next.close();
    }
  } finally {
    await database.drop();
  }
});

test('SIGTERM cuts off a client that never finishes its request once the grace period is over, and still exits 0 within 10 s', async (t) => {
  const database = await createTestDatabase();
  try {
    const server = await spawnServer({ DATABASE_URL: database.url });
    const { hostname, port } = new URL(server.url);
    const cut = new Promise<string>((resolve) => {
      const stuck = request({
        host: hostname,
        port,
        method: 'POST',
        path: '/tickets',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': 1000,
          Authorization: `Bearer ${server.adminToken}`,
        },
      });
      stuck.on('response', (response) => resolve(`answered ${response.statusCode}`));
      stuck.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      // A tenth of the body, and then nothing, ever.
      stuck.write('{"title":"');
    });
    await pause(300);
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    t.is(await cut, 'ECONNRESET');
    const cutAfter = performance.now() - signalled;
    t.true(cutAfter >= SHUTDOWN_GRACE_MS - 500, `not cut before the grace period (${Math.round(cutAfter)} ms)`);
    t.is(await server.exited, 0);
    t.true(performance.now() - signalled < 10_000, 'exited within 10 s of the signal');
    t.true(server.logs.some((entry) => entry.msg === 'shutdown grace period over: closing the connections still open'));
  } finally {
    await database.drop();
  }
});

test('during SHUTDOWN_DELAY_MS after SIGTERM, new connections are answered: /ready 503 with Retry-After, then the listener closes', async (t) => {
  const database = await createTestDatabase();
  try {
    const server = await spawnServer({ DATABASE_URL: database.url, SHUTDOWN_DELAY_MS: '1500' });
    t.is((await server.fetch('/ready')).status, 200);
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    await server.logged((entry) => entry.msg === 'not ready: still listening before closing the listener');
    // A balancer's probe on a new connection, as it would poll: told "not ready", not refused.
    const ready = await server.fetch('/ready');
    t.true(performance.now() - signalled < 1500, 'asked within the delay');
    t.is(ready.status, 503);
    t.is(ready.headers.get('Retry-After'), '5');
    t.is(ready.headers.get('Connection'), 'close');
    t.like(await ready.json(), { status: 'fail', output: 'The server is shutting down.' });
    // Liveness still holds: the process is healthy, only leaving.
    t.is((await server.fetch('/health')).status, 200);
    t.true(await refusesConnections(server.url), 'the listener closes once the delay is over');
    t.true(performance.now() - signalled >= 1400, 'not before the delay');
    t.is(await server.exited, 0);
  } finally {
    await database.drop();
  }
});
