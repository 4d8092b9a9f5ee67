// /health says the process runs; /ready says it can serve (the database answers, and it is not shutting down).
// Both are for load balancers: no token needed, never linked from the home document.
import { connect } from 'node:net';
import test from 'ava';
import { sql } from 'kysely';
import { createTestDatabase, inspectDatabase, postgresServerUrl, testEngine } from '../../helpers/database.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

type Health = {
  status: string;
  output?: string;
  checks?: Record<string, { componentId: string; status: string; observedUnit: string }[]>;
};

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server?.close());

test('/health is 200 with status pass as application/health+json, for a caller without a token', async (t) => {
  const response = await server.as(null).fetch('/health');
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/health+json');
  t.is(response.headers.get('cache-control'), 'no-store');
  t.deepEqual(await response.json(), { status: 'pass' });
});

test('/ready is 200 when the database answers, and says which database it asked and how fast', async (t) => {
  const response = await server.as(null).fetch('/ready', { headers: { Accept: 'application/json' } });
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/json; charset=utf-8');
  const health = (await response.json()) as Health;
  t.is(health.status, 'pass');
  const [check] = health.checks!['database:responseTime']!;
  t.like(check, { componentId: testEngine, status: 'pass', observedUnit: 'ms' });
});

test('the probes are not linked from the home document', async (t) => {
  const home = JSON.stringify(await (await server.fetch('/')).json());
  t.false(home.includes('/health'));
  t.false(home.includes('/ready'));
});

test('the probes answer GET and HEAD only: other methods are 405 with Allow, other media types 406', async (t) => {
  t.is((await server.fetch('/ready', { method: 'HEAD' })).status, 200);
  const post = await server.fetch('/health', { method: 'POST' });
  t.is(post.status, 405);
  t.is(post.headers.get('allow'), 'GET, HEAD');
  t.is(post.headers.get('content-type'), 'application/problem+json');
  t.is((await server.fetch('/health', { headers: { Accept: 'text/html' } })).status, 406);
});

/** Sends a request in two parts over one raw socket, running `between` after the first; resolves with the raw answer. */
function requestInTwoParts(url: string, first: string, rest: string, between: () => void): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(first);
      // Long enough for the server to have read the first part and so to count the request as in flight.
      setTimeout(() => {
        between();
        setTimeout(() => socket.write(rest), 100);
      }, 100);
    });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

test('once shutdown begins, /ready is 503 with Retry-After and the connection is closed after the answer', async (t) => {
  const draining = await startTestServer();
  let closing: Promise<void> | undefined;
  const answer = await requestInTwoParts(
    draining.url,
    'GET /ready HTTP/1.1\r\nHost: localhost\r\n',
    'Accept: application/health+json\r\n\r\n',
    () => {
      closing = draining.close();
    },
  );
  await closing;
  t.regex(answer, /^HTTP\/1\.1 503 /);
  t.regex(answer, /\r\nretry-after: 5\r\n/i);
  t.regex(answer, /\r\nconnection: close\r\n/i);
  t.regex(answer, /"status":"fail"/);
});

if (testEngine === 'postgres') {
  test('/ready is 503 with Retry-After when the database is gone, while /health stays 200', async (t) => {
    const database = await createTestDatabase();
    const orphan = await startTestServer({ DATABASE_URL: database.url });
    try {
      t.is((await orphan.fetch('/ready')).status, 200);
      const name = new URL(database.url).pathname.slice(1);
      await inspectDatabase(postgresServerUrl(), (db) => sql`DROP DATABASE ${sql.id(name)} WITH (FORCE)`.execute(db));
      const ready = await orphan.as(null).fetch('/ready');
      t.is(ready.status, 503);
      t.is(ready.headers.get('retry-after'), '5');
      t.like(await ready.json(), { status: 'fail', output: 'The database does not answer.' });
      t.is((await orphan.as(null).fetch('/health')).status, 200);
    } finally {
      await orphan.close();
      await database.drop();
    }
  });
}
