// A server killed with SIGKILL in the middle of writes loses nothing it acknowledged: restarted on the same
// database, every write answered 2xx is there with the content it was acknowledged with, the write that was in
// flight either landed whole or not at all, and the database is consistent (SQLite's own checks; counters).
// (test/store/durability.test.ts checks the settings this relies on: WAL + synchronous, synchronous_commit=on.)
import test from 'ava';
import { sql } from 'kysely';
import { createTestDatabase, inspectDatabase, testEngine } from '../helpers/database.ts';
import { type ServerProcess, spawnServer } from '../helpers/process.ts';
import { json } from '../helpers/server.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client knows of one ticket: the state last acknowledged, and a write sent but never answered. */
interface Known {
  id: number;
  version: number;
  title: string;
  unanswered?: string;
}

/**
 * A client that creates a ticket, retitles it three times (If-Match on the ETag it was given), and starts over,
 * until the server stops answering. Every acknowledged write is recorded, with what it acknowledged.
 */
async function writeUntilKilled(
  server: ServerProcess,
  client: number,
  known: Known[],
  sent: Set<string>,
): Promise<void> {
  for (let round = 0; ; round += 1) {
    const title = `killed ${client}-${round}-0`;
    sent.add(title);
    let response: Response;
    try {
      response = await server.fetch('/tickets', json('POST', { title, requester: 'k@example.com' }));
    } catch {
      return; // killed while creating: that ticket may or may not exist, and nothing refers to it
    }
    if (response.status !== 201) throw new Error(`create answered ${response.status}: ${await response.text()}`);
    const ticket: Known = { id: ((await response.json()) as { id: number }).id, version: 1, title };
    known.push(ticket);
    let etag = response.headers.get('etag')!;
    for (let change = 1; change <= 3; change += 1) {
      const next = `killed ${client}-${round}-${change}`;
      sent.add(next);
      ticket.unanswered = next;
      try {
        response = await server.fetch(`/tickets/${ticket.id}`, json('PATCH', { title: next }, { 'If-Match': etag }));
      } catch {
        return;
      }
      if (response.status !== 200) throw new Error(`PATCH answered ${response.status}: ${await response.text()}`);
      Object.assign(ticket, { version: ticket.version + 1, title: next, unanswered: undefined });
      etag = response.headers.get('etag')!;
    }
  }
}

/** What SQLite's own checks say of the file: its integrity, and any row whose foreign key points nowhere. */
function sqliteChecks(url: string) {
  return inspectDatabase(url, async (db) => ({
    integrity: (await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db)).rows.map(
      (row) => row.integrity_check,
    ),
    foreignKeys: (await sql`PRAGMA foreign_key_check`.execute(db)).rows,
  }));
}

test(`SIGKILL in the middle of writes loses no acknowledged write, and leaves the ${testEngine} database consistent`, async (t) => {
  const database = await createTestDatabase();
  let server = await spawnServer({ DATABASE_URL: database.url });
  try {
    const known: Known[] = [];
    const sent = new Set<string>();
    const clients = Array.from({ length: 6 }, (_, client) => writeUntilKilled(server, client, known, sent));
    // Kill once enough writes were acknowledged to make the check mean something (however busy the machine).
    const acknowledged = () => known.reduce((sum, ticket) => sum + ticket.version, 0);
    for (const started = performance.now(); acknowledged() < 60 && performance.now() - started < 20_000;)
      await pause(50);
    t.is(await server.stop('SIGKILL'), null, 'killed, not exited');
    await Promise.all(clients);
    t.true(acknowledged() >= 60, `writes were acknowledged before the kill (${acknowledged()})`);
    t.log(
      `${acknowledged()} writes to ${known.length} tickets acknowledged, ${known.filter((k) => k.unanswered).length} changes in flight at the kill`,
    );

    server = await spawnServer({ DATABASE_URL: database.url });
    const stored = new Map(
      (
        await inspectDatabase(database.url, (db) =>
          db.selectFrom('tickets').select(['id', 'title', 'version']).execute(),
        )
      ).map((row) => [Number(row.id), row]),
    );
    for (const ticket of known) {
      const row = stored.get(ticket.id);
      // The acknowledged state, or the one write after it that was in flight, landed whole: nothing older, nothing torn.
      const allowed = [
        { version: ticket.version, title: ticket.title },
        ...(ticket.unanswered ? [{ version: ticket.version + 1, title: ticket.unanswered }] : []),
      ];
      t.true(
        row !== undefined && allowed.some((state) => state.version === row.version && state.title === row.title),
        `ticket ${ticket.id}: ${JSON.stringify(row)} is one of ${JSON.stringify(allowed)}`,
      );
    }
    t.deepEqual(
      [...stored.values()].filter((row) => !sent.has(row.title)),
      [],
      'nothing stored that no client sent',
    );

    // The restarted server serves what was acknowledged, and counts it as the rows are.
    const sample = known[0]!;
    const served = (await (await server.fetch(`/tickets/${sample.id}`)).json()) as { title: string };
    t.true([sample.title, sample.unanswered].includes(served.title));
    const listing = (await (await server.fetch('/tickets?size=1')).json()) as { page: { totalElements: number } };
    t.is(listing.page.totalElements, stored.size, 'the trigger-kept counters agree with the rows');

    if (testEngine === 'sqlite') t.deepEqual(await sqliteChecks(database.url), { integrity: ['ok'], foreignKeys: [] });
    t.is(
      (await server.fetch('/tickets', json('POST', { title: 'After the restart', requester: 'k@example.com' }))).status,
      201,
    );
  } finally {
    await server.stop();
    await database.drop();
  }
});
