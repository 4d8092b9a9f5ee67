// When the database refuses an import's chunk: a chunk that fails on every try fails the job (the rows before it
// stand, and the client is told where it stopped, not our internals); a chunk that fails for a while is tried
// again and the job ends done, every row once. The failures are real, made in the database itself: a trigger the
// test adds (on PostgreSQL it can count its refusals in a sequence, which no rollback undoes), or on SQLite the
// write lock held by another connection past the busy timeout. The server runs as a process, for its logs.
import test from 'ava';
import { sql } from 'kysely';
import { createTestDatabase, inspectDatabase, openTestConnection, testEngine } from '../../helpers/database.ts';
import { keptRows, poisonTickets, submitImport, ticketRow, untilFinished } from '../../helpers/imports.ts';
import { type ServerProcess, spawnServer } from '../../helpers/process.ts';

/** Small chunks, so that a job has several; quick polls, so that the tries follow each other within a test. */
const WORKER = { IMPORT_POLL_MS: '50', IMPORT_LEASE_MS: '30000', IMPORT_CHUNK_ROWS: '4' };

async function withServer(run: (server: ServerProcess, url: string) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const server = await spawnServer({ DATABASE_URL: database.url, ...WORKER });
  try {
    await run(server, database.url);
  } finally {
    await server.stop('SIGKILL');
    await database.drop();
  }
}

/** Ten rows, the sixth poisoned: chunks of four make rows 5 to 8 the chunk that fails. */
const POISONED = Array.from({ length: 10 }, (_, n) =>
  n === 5 ? { ...ticketRow('poison', n + 1), title: 'poison row 6' } : ticketRow('healthy', n + 1),
);

const retries = (server: ServerProcess) =>
  server.logs.filter((entry) => entry.msg === 'import chunk failed: trying it again').map((entry) => entry.tries);

async function stored(url: string, id: number) {
  return inspectDatabase(url, async (db) => ({
    job: await db
      .selectFrom('imports')
      .select(['state', 'processed', 'failure'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow(),
    kept: await keptRows(db, id),
    rows: (await db.selectFrom('import_rows').select('row').where('import_id', '=', id).orderBy('row').execute()).map(
      (r) => r.row,
    ),
    tickets: (await db.selectFrom('tickets').select('title').orderBy('id').execute()).map((r) => r.title),
  }));
}

test.serial(
  'a chunk the database refuses on every try fails the job after three tries: the rows before it stand, and the failure says where it stopped',
  async (t) => {
    await withServer(async (server, url) => {
      await inspectDatabase(url, (db) => poisonTickets(db));
      const { location } = await submitImport(server.fetch, POISONED);
      const job = await untilFinished(server.fetch, location);
      t.like(job, { state: 'failed', progress: { total: 10, processed: 4, created: 4, rejected: 0 } });
      t.regex(job.failure!, /stopped at row 5\b/);
      t.notRegex(job.failure!, /poison|trigger|SQLITE|exception/i, 'the cause is logged, not shown');
      t.truthy(job.finishedAt);
      const polled = await server.fetch(location);
      t.is(polled.headers.get('retry-after'), null, 'a failed job has nothing to wait for');

      const held = await stored(url, job.id);
      t.deepEqual(held.rows, [1, 2, 3, 4]);
      t.deepEqual(
        held.tickets,
        POISONED.slice(0, 4).map((row) => row.title),
        'the chunks before it stand; the failed one left nothing',
      );
      t.deepEqual(held.kept, POISONED, 'a failed job keeps its rows');

      t.deepEqual(retries(server), [1, 2]);
      t.like(await server.logged((entry) => entry.msg === 'import failed'), { processed: 4, importId: job.id });
      t.false(server.logs.some((entry) => entry.msg === 'import done'));
      if (testEngine === 'postgres') {
        const attempts = await inspectDatabase(
          url,
          async (db) => (await sql<{ n: string }>`SELECT last_value AS n FROM poison_attempts`.execute(db)).rows[0]!.n,
        );
        t.is(Number(attempts), 3, 'the chunk was tried three times');
      }
    });
  },
);

if (testEngine === 'postgres') {
  test.serial(
    'a chunk the database refuses twice is tried again, and the job ends done with every row once',
    async (t) => {
      await withServer(async (server, url) => {
        await inspectDatabase(url, (db) => poisonTickets(db, 2));
        const job = await untilFinished(server.fetch, (await submitImport(server.fetch, POISONED)).location);
        t.like(job, { state: 'done', progress: { total: 10, processed: 10, created: 10, rejected: 0 } });
        const held = await stored(url, job.id);
        t.deepEqual(held.rows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        t.deepEqual(
          held.tickets,
          POISONED.map((row) => row.title),
          'each row made its ticket once: the refused tries left nothing',
        );
        t.deepEqual(retries(server), [1, 2]);
        t.false(server.logs.some((entry) => entry.msg === 'import failed'));
        const attempts = await inspectDatabase(
          url,
          async (db) => (await sql<{ n: string }>`SELECT last_value AS n FROM poison_attempts`.execute(db)).rows[0]!.n,
        );
        t.is(Number(attempts), 3, 'two refusals, then the try that passed');
      });
    },
  );
} else {
  test.serial(
    'a chunk that finds the write lock held past the busy timeout is tried again once it is free, and the job ends done with every row once',
    async (t) => {
      await withServer(async (server, url) => {
        const TOTAL = 2000;
        const rows = Array.from({ length: TOTAL }, (_, n) => ticketRow('locked', n + 1));
        const { location } = await submitImport(server.fetch, rows);
        await server.logged((entry) => entry.msg === 'import claimed');
        const other = openTestConnection(url);
        try {
          // Taken between two of the worker's chunks (it waits for the one in progress), and held until the
          // worker has given up on one chunk: 5 s, its busy timeout.
          await sql`BEGIN IMMEDIATE`.execute(other);
          const { processed } = await other
            .selectFrom('imports')
            .select('processed')
            .where('id', '=', Number(location.split('/').pop()))
            .executeTakeFirstOrThrow();
          t.true(processed < TOTAL, `the lock was taken mid-job, after ${processed} rows`);
          await server.logged((entry) => entry.msg === 'import chunk failed: trying it again', 30_000);
          await sql`ROLLBACK`.execute(other);
        } finally {
          await other.destroy();
        }
        const job = await untilFinished(server.fetch, location);
        t.like(job, { state: 'done', progress: { total: TOTAL, processed: TOTAL, created: TOTAL, rejected: 0 } });
        const held = await stored(url, job.id);
        t.deepEqual(
          held.rows,
          rows.map((_, i) => i + 1),
        );
        t.deepEqual(
          held.tickets,
          rows.map((row) => row.title),
          'each row made its ticket once',
        );
        t.deepEqual(retries(server), [1]);
        t.false(server.logs.some((entry) => entry.msg === 'import failed'));
      });
    },
  );
}
