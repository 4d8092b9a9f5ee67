// What a connection may take, as the README states it, on raw sockets: headers within HEADERS_TIMEOUT_MS, the
// whole request within REQUEST_TIMEOUT_MS (else 408, closed), an idle keep-alive connection closed a second after
// the KEEP_ALIVE_TIMEOUT_MS it is told, and a body still trickling in at REQUEST_DEADLINE_MS answered 503 with the
// connection closed at once. Small settings, and each close asserted within a second of its configured time.
import { connect, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const HEADERS_MS = 1500;
const DEADLINE_MS = 2500;
const KEEP_ALIVE_MS = 2000;
/** Node keeps an idle keep-alive socket this long past the timeout it advertises (see src/server.ts). */
const KEEP_ALIVE_GRACE_MS = 1000;

/** Closing up to this much after the configured time passes; earlier than it never does. */
function assertClosedAround(t: ExecutionContext, observedMs: number, configuredMs: number, what: string) {
  t.true(
    observedMs >= configuredMs - 100 && observedMs <= configuredMs + 1000,
    `${what}: closed after ${Math.round(observedMs)} ms, configured ${configuredMs} ms`,
  );
}

interface Connection {
  socket: Socket;
  /** performance.now() when the connection was made. */
  openedAt: number;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves once the server has sent something, with performance.now() then. */
  firstByte: Promise<number>;
  /** Resolves with performance.now() once the connection is closed. */
  closed: Promise<number>;
}

async function open(server: TestServer): Promise<Connection> {
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const openedAt = performance.now();
  let data = '';
  let firstByte!: (at: number) => void;
  const first = new Promise<number>((resolve) => (firstByte = resolve));
  socket.on('data', (chunk: Buffer) => {
    if (data === '') firstByte(performance.now());
    data += chunk.toString('latin1');
  });
  socket.on('error', () => {}); // a reset is a close like any other here
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  return { socket, openedAt, received: () => data, firstByte: first, closed };
}

/** Writes `piece` every `everyMs` until the connection closes (a client that is slow, not gone). */
function trickle(connection: Connection, piece: (n: number) => string, everyMs: number) {
  let n = 0;
  const timer = setInterval(() => {
    if (connection.socket.writable) connection.socket.write(piece(n++));
  }, everyMs);
  void connection.closed.then(() => clearInterval(timer));
}

let server: TestServer;
test.before(async () => {
  server = await startTestServer({
    HEADERS_TIMEOUT_MS: String(HEADERS_MS),
    REQUEST_TIMEOUT_MS: '20000',
    KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
    REQUEST_DEADLINE_MS: String(DEADLINE_MS),
  });
});
test.after.always(() => server?.close());

test('a connection that sends nothing is answered 408 and closed at HEADERS_TIMEOUT_MS', async (t) => {
  const idle = await open(server);
  assertClosedAround(t, (await idle.closed) - idle.openedAt, HEADERS_MS, 'idle');
  t.regex(idle.received(), /^HTTP\/1\.1 408 /);
});

test('headers trickled a line at a time are answered 408 and closed at HEADERS_TIMEOUT_MS', async (t) => {
  const slow = await open(server);
  slow.socket.write('GET /faqs HTTP/1.1\r\nHost: localhost\r\n');
  trickle(slow, (n) => `X-Trickle-${n}: still coming\r\n`, 100);
  assertClosedAround(t, (await slow.closed) - slow.openedAt, HEADERS_MS, 'header trickle');
  t.regex(slow.received(), /^HTTP\/1\.1 408 /);
});

test('an idle keep-alive connection is told KEEP_ALIVE_TIMEOUT_MS and closed a second after it', async (t) => {
  const client = await open(server);
  client.socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const answeredAt = await client.firstByte;
  const closedAt = await client.closed;
  t.regex(client.received(), /^HTTP\/1\.1 200 /);
  t.regex(client.received(), /\r\nKeep-Alive: timeout=2\r\n/i);
  assertClosedAround(t, closedAt - answeredAt, KEEP_ALIVE_MS + KEEP_ALIVE_GRACE_MS, 'idle keep-alive');
});

test('an authenticated body still trickling in at the deadline is answered 503 with Connection: close, and the connection closes at once', async (t) => {
  const before = await server.inspect((db) =>
    db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  const slow = await open(server);
  slow.socket.write(
    `POST /tickets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${server.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title":"`,
  );
  const headersSentAt = performance.now();
  trickle(slow, () => 'a', 100);
  const answeredAt = await slow.firstByte;
  assertClosedAround(t, answeredAt - headersSentAt, DEADLINE_MS, 'deadline answer');
  const closedAt = await slow.closed;
  const answer = slow.received();
  t.regex(answer, /^HTTP\/1\.1 503 /);
  t.regex(answer, /\r\nConnection: close\r\n/i);
  t.regex(answer, /\r\nRetry-After: \d+\r\n/i);
  t.regex(answer, /"status":503/);
  t.true(closedAt - answeredAt < 1000, `closed ${Math.round(closedAt - answeredAt)} ms after the 503, not held open`);
  const after = await server.inspect((db) =>
    db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  t.is(Number(after.n), Number(before.n), 'nothing was created');
});

test('any answer given before its body has arrived closes the connection: a body announced past the limit is 413 at once', async (t) => {
  const big = await open(server);
  big.socket.write(
    `POST /tickets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${server.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{"title":"`,
  );
  const sentAt = performance.now();
  trickle(big, () => 'a', 100);
  const closedAt = await big.closed;
  t.regex(big.received(), /^HTTP\/1\.1 413 /);
  t.regex(big.received(), /\r\nConnection: close\r\n/i);
  t.true(closedAt - sentAt < 1000, `closed ${Math.round(closedAt - sentAt)} ms after the headers, not left to drain`);
});

test('a request whose headers and body together outlast REQUEST_TIMEOUT_MS is answered 408 and closed then', async (t) => {
  // Its own server: a request timeout short enough to come before the deadline for a request whose headers were slow.
  const strict = await startTestServer({
    HEADERS_TIMEOUT_MS: '1500',
    REQUEST_TIMEOUT_MS: '3000',
    REQUEST_DEADLINE_MS: '2500',
  });
  t.teardown(() => strict.close());
  const slow = await open(strict);
  const headers = `POST /tickets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${strict.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
  // Headers in 1.2 s (inside their 1.5 s), then a body a byte at a time: the deadline would come at 3.7 s.
  const [start, rest] = [headers.slice(0, -2), headers.slice(-2)];
  slow.socket.write(start);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  slow.socket.write(`${rest}{"title":"`);
  trickle(slow, () => 'a', 100);
  assertClosedAround(t, (await slow.closed) - slow.openedAt, 3000, 'request timeout');
  t.regex(slow.received(), /^HTTP\/1\.1 408 /);
});
