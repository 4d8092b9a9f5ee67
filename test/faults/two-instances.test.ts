// Two server processes on one database agree as one would: of concurrent changes made on the same version, from
// either instance, exactly one lands; and thousands of concurrent creates spread over both all land, once each.
import { Agent, request } from 'node:http';
import test from 'ava';
import { createTestDatabase, inspectDatabase } from '../helpers/database.ts';
import { pathOf } from '../helpers/hal.ts';
import { type ServerProcess, spawnServer } from '../helpers/process.ts';
import { json } from '../helpers/server.ts';

const CREATES = 2_000;
/** Sockets per instance: 64 in all, as a sane client pool would have. */
const SOCKETS_PER_INSTANCE = 32;

let servers: ServerProcess[] = [];
let dropDatabase: () => Promise<void> = async () => {};
let databaseUrl = '';

test.before(async () => {
  const database = await createTestDatabase();
  databaseUrl = database.url;
  dropDatabase = database.drop;
  servers = await Promise.all([
    spawnServer({ DATABASE_URL: database.url }),
    spawnServer({ DATABASE_URL: database.url }),
  ]);
});
test.after.always(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await dropDatabase();
});

test.serial(
  'of PATCHes sent at once through both instances with the same If-Match, exactly one is 200 and the rest 412',
  async (t) => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const created = await a.fetch('/tickets', json('POST', { title: 'Contested', requester: 'r@example.com' }));
    t.is(created.status, 201);
    // Its path: each instance is asked for it on its own address (the Location is on a's).
    const location = pathOf(created.headers.get('location')!);
    const etag = (await b.fetch(location)).headers.get('etag')!;
    t.truthy(etag);

    const priorities = ['low', 'normal', 'high', 'urgent'];
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, n) =>
        (n % 2 === 0 ? a : b).fetch(
          location,
          json('PATCH', { title: `Contested, change ${n}`, priority: priorities[n % 4] }, { 'If-Match': etag }),
        ),
      ),
    );
    const statuses = answers.map((response) => response.status);
    t.is(statuses.filter((status) => status === 200).length, 1, statuses.join(' '));
    t.is(statuses.filter((status) => status === 412).length, 23, statuses.join(' '));

    // What is stored is the one change that was acknowledged, at the next version, on both instances.
    const winner = (await answers[statuses.indexOf(200)]!.json()) as { title: string; priority: string };
    for (const server of servers) {
      const now = await server.fetch(location);
      t.like(await now.json(), { title: winner.title, priority: winner.priority });
      t.not(now.headers.get('etag'), etag);
    }
  },
);

/** POSTs a ticket through a pooled socket; resolves with the status and the created id. */
function create(server: ServerProcess, agent: Agent, title: string): Promise<{ status: number; id?: number }> {
  const { hostname, port } = new URL(server.url);
  const body = JSON.stringify({ title, requester: 'crowd@example.com' });
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/tickets',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Authorization: `Bearer ${server.adminToken}`,
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            id: response.statusCode === 201 ? (JSON.parse(text) as { id: number }).id : undefined,
          }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

test.serial(`${CREATES} creates at once, spread over both instances, all land with ids of their own`, async (t) => {
  const agents = servers.map(() => new Agent({ keepAlive: true, maxSockets: SOCKETS_PER_INSTANCE }));
  try {
    const before = await inspectDatabase(databaseUrl, (db) => db.selectFrom('tickets').select('id').execute());
    const results = await Promise.all(
      Array.from({ length: CREATES }, (_, n) => create(servers[n % 2]!, agents[n % 2]!, `crowd ${n}`)),
    );
    const failed = results.filter((result) => result.status !== 201);
    t.deepEqual(failed, [], `${failed.length} creates failed`);
    const ids = results.map((result) => result.id!);
    t.is(new Set(ids).size, CREATES, 'every id is different');

    const stored = await inspectDatabase(databaseUrl, (db) =>
      db.selectFrom('tickets').select(['id', 'title']).where('title', 'like', 'crowd %').execute(),
    );
    t.is(stored.length, CREATES);
    const titleOf = new Map(stored.map((row) => [Number(row.id), row.title]));
    t.deepEqual(
      ids.filter((id, n) => titleOf.get(id) !== `crowd ${n}`),
      [],
      'each id holds the ticket it was given for',
    );
    // Both instances count them all (from the trigger-kept counters the listing reads).
    for (const server of servers) {
      const listing = (await (await server.fetch('/tickets?size=1')).json()) as { page: { totalElements: number } };
      t.is(listing.page.totalElements, before.length + CREATES);
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
});
