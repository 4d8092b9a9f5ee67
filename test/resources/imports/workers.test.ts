// The import workers of several instances on one database (separate processes, as in production): every job
// runs exactly once, and a job whose instance dies, stops or is paused mid-way is finished by another, with each
// row's ticket made once and none missing. Serial: each test runs several servers, and the machine has two cores.
import test, { type ExecutionContext } from 'ava';
import { sql } from 'kysely';
import { createTestDatabase, inspectDatabase, testEngine } from '../../helpers/database.ts';
import { type ImportBody, submitImport, ticketRow, untilFinished } from '../../helpers/imports.ts';
import { type ServerProcess, spawnServer } from '../../helpers/process.ts';

/** Short intervals, so that a lapsed lease is noticed within a test; small chunks, so that a job takes many. */
const WORKER = { IMPORT_POLL_MS: '20', IMPORT_CHUNK_ROWS: '4' };

/** The jobs each log says its instance claimed, by import id, with the row it started from. */
function claims(servers: ServerProcess[]): { importId: number; from: number; server: number }[] {
  return servers.flatMap((server, index) =>
    server.logs
      .filter((entry) => entry.msg === 'import claimed')
      .map((entry) => ({ importId: Number(entry.importId), from: Number(entry.from), server: index })),
  );
}

/**
 * What the database holds for a job: its state and progress, and per row whether it has exactly one ticket
 * whose title is that row's (so no row is missing, duplicated or given another row's ticket).
 */
async function audit(url: string, importId: number) {
  return inspectDatabase(url, async (db) => {
    const job = await db
      .selectFrom('imports')
      .select(['state', 'total', 'processed', 'created', 'rejected'])
      .where('id', '=', importId)
      .executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom('import_rows')
      .leftJoin('tickets', 'tickets.id', 'import_rows.ticket_id')
      .select(['import_rows.row', 'tickets.title'])
      .where('import_rows.import_id', '=', importId)
      .orderBy('import_rows.row')
      .execute();
    return { job, rows };
  });
}

async function ticketTitles(url: string): Promise<string[]> {
  return inspectDatabase(url, async (db) =>
    (await db.selectFrom('tickets').select('title').execute()).map((r) => r.title),
  );
}

function assertEveryRowOnce(
  t: ExecutionContext,
  { job, rows }: Awaited<ReturnType<typeof audit>>,
  tag: string,
  total: number,
) {
  t.like(job, { state: 'done', total, processed: total, created: total, rejected: 0 });
  t.deepEqual(
    rows.map((r) => r.row),
    Array.from({ length: total }, (_, i) => i + 1),
    'one outcome per row, none missing',
  );
  t.deepEqual(
    rows.map((r) => r.title),
    Array.from({ length: total }, (_, i) => `${tag} row ${i + 1}`),
    'each row has its own ticket',
  );
}

test.serial('two instances on one database run many jobs, each exactly once', async (t) => {
  const database = await createTestDatabase();
  const servers = await Promise.all(
    [0, 1].map(() => spawnServer({ DATABASE_URL: database.url, ...WORKER, IMPORT_LEASE_MS: '10000' })),
  );
  try {
    const JOBS = 12;
    const ROWS = 10;
    const submitted = await Promise.all(
      Array.from({ length: JOBS }, (_, j) =>
        submitImport(
          servers[j % 2]!.fetch,
          Array.from({ length: ROWS }, (_, n) => ticketRow(`job-${j}`, n + 1)),
        ),
      ),
    );
    // Each job is watched through the other instance: they share one database, so either tells the truth.
    const jobs = await Promise.all(
      submitted.map(({ location }, j) => untilFinished(servers[(j + 1) % 2]!.fetch, location)),
    );
    for (const job of jobs)
      t.like(job, { state: 'done', progress: { total: ROWS, processed: ROWS, created: ROWS, rejected: 0 } });
    for (const [j, job] of jobs.entries()) assertEveryRowOnce(t, await audit(database.url, job.id), `job-${j}`, ROWS);

    const titles = await ticketTitles(database.url);
    t.is(titles.length, JOBS * ROWS, 'no ticket was made twice');
    t.is(new Set(titles).size, JOBS * ROWS);
    // Every job was claimed once, by one instance, from its first row.
    const claimed = claims(servers);
    t.deepEqual(
      claimed.map((c) => c.importId).sort((a, b) => a - b),
      jobs.map((job) => job.id).sort((a, b) => a - b),
    );
    t.true(claimed.every((c) => c.from === 0));
    t.log(`jobs run per instance: ${[0, 1].map((i) => claimed.filter((c) => c.server === i).length).join(' and ')}`);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
  }
});

/** Submits a long job to `first` and waits until some, but not all, of its rows are committed. */
async function startLongJob(
  first: ServerProcess,
  tag: string,
  total: number,
): Promise<{ location: string; job: ImportBody }> {
  const { location } = await submitImport(
    first.fetch,
    Array.from({ length: total }, (_, n) => ticketRow(tag, n + 1)),
  );
  for (;;) {
    const job = (await (await first.fetch(location)).json()) as ImportBody;
    if (job.progress.processed > 0) return { location, job };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test.serial(
  'a job whose instance is killed mid-way is finished by another instance, no row twice or missing',
  async (t) => {
    const database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, ...WORKER, IMPORT_LEASE_MS: '1500' };
    const first = await spawnServer(env);
    let second: ServerProcess | undefined;
    try {
      const TOTAL = 2000;
      const { location } = await startLongJob(first, 'killed', TOTAL);
      await first.stop('SIGKILL');
      const id = Number(location.split('/').pop());
      const atDeath = (await audit(database.url, id)).job;
      t.is(atDeath.state, 'running', 'the instance died holding the job');
      t.true(atDeath.processed > 0 && atDeath.processed < TOTAL, `killed after ${atDeath.processed} of ${TOTAL} rows`);

      second = await spawnServer(env);
      const job = await untilFinished(second.fetch, location);
      t.like(job, { state: 'done', progress: { total: TOTAL, processed: TOTAL, created: TOTAL, rejected: 0 } });
      assertEveryRowOnce(t, await audit(database.url, id), 'killed', TOTAL);
      const titles = await ticketTitles(database.url);
      t.is(titles.length, TOTAL);
      // It resumed where the dead instance's last commit left off, once its lease had lapsed.
      t.deepEqual(
        claims([second]).map((c) => c.from),
        [atDeath.processed],
      );
    } finally {
      await first.stop('SIGKILL');
      await second?.stop();
      await database.drop();
    }
  },
);

test.serial(
  'an instance that stops gracefully gives its job back, and another resumes it without waiting out the lease',
  async (t) => {
    const database = await createTestDatabase();
    // A lease far longer than the test: only a job given back can be resumed in time.
    const env = { DATABASE_URL: database.url, ...WORKER, IMPORT_LEASE_MS: '600000' };
    const first = await spawnServer(env);
    let second: ServerProcess | undefined;
    try {
      const TOTAL = 2000;
      const { location } = await startLongJob(first, 'stopped', TOTAL);
      t.is(await first.stop('SIGTERM'), 0);
      const id = Number(location.split('/').pop());
      const atStop = (await audit(database.url, id)).job;
      t.is(atStop.state, 'queued', 'given back to the queue');
      t.true(atStop.processed > 0 && atStop.processed < TOTAL, `stopped after ${atStop.processed} of ${TOTAL} rows`);

      second = await spawnServer(env);
      const job = await untilFinished(second.fetch, location, { deadlineMs: 50_000 });
      t.is(job.state, 'done');
      assertEveryRowOnce(t, await audit(database.url, id), 'stopped', TOTAL);
      t.deepEqual(
        claims([second]).map((c) => c.from),
        [atStop.processed],
      );
      t.is(
        await inspectDatabase(database.url, async (db) =>
          Number((await sql<{ n: number }>`SELECT count(*) AS n FROM tickets`.execute(db)).rows[0]!.n),
        ),
        TOTAL,
      );
    } finally {
      await first.stop('SIGKILL');
      await second?.stop();
      await database.drop();
    }
  },
);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether any instance has a transaction open on the database. A paused instance must not: on PostgreSQL the
 * job's row would stay locked (no claim can take it), on SQLite the write lock would stay held.
 */
async function transactionOpen(url: string): Promise<boolean> {
  if (testEngine === 'postgres') {
    return inspectDatabase(url, async (db) => {
      const { rows } = await sql<{
        n: string;
      }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'helpdesk' AND xact_start IS NOT NULL`.execute(
        db,
      );
      return Number(rows[0]!.n) > 0;
    });
  }
  // A chunk is a write transaction: it holds the write lock, which this connection then cannot take at once.
  return inspectDatabase(url, async (db) => {
    await sql`PRAGMA busy_timeout = 0`.execute(db);
    try {
      await sql`BEGIN IMMEDIATE`.execute(db);
    } catch {
      return true;
    }
    await sql`ROLLBACK`.execute(db);
    return false;
  });
}

/** Pauses the process (SIGSTOP, as a long GC pause or a frozen VM would), between two of its transactions. */
async function pauseBetweenTransactions(server: ServerProcess, url: string): Promise<void> {
  for (let tries = 0; tries < 100; tries += 1) {
    server.child.kill('SIGSTOP');
    // Whatever it had sent before it stopped, the database finishes meanwhile.
    await pause(50);
    if (!(await transactionOpen(url))) return;
    server.child.kill('SIGCONT');
    await pause(5 + tries);
  }
  throw new Error('the instance was inside a transaction every time it was paused');
}

test.serial(
  'an instance paused past its lease finds its job taken over when it wakes, and writes nothing more to it',
  async (t) => {
    const database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, ...WORKER, IMPORT_LEASE_MS: '1000' };
    const first = await spawnServer(env);
    let second: ServerProcess | undefined;
    try {
      const TOTAL = 2000;
      const { location } = await startLongJob(first, 'paused', TOTAL);
      const id = Number(location.split('/').pop());
      await pauseBetweenTransactions(first, database.url);
      const atPause = (await audit(database.url, id)).job;
      t.true(
        atPause.state === 'running' && atPause.processed > 0 && atPause.processed < TOTAL,
        `paused after ${atPause.processed} of ${TOTAL} rows`,
      );

      // The second instance takes the job once the paused one's lease has lapsed, from its last committed chunk.
      second = await spawnServer(env);
      const claimed = await second.logged((entry) => entry.msg === 'import claimed' && entry.importId === id);
      t.is(claimed.from, atPause.processed);

      first.child.kill('SIGCONT');
      const lost = await first.logged((entry) => String(entry.msg).startsWith('import lease lost'));
      t.is(lost.processed, atPause.processed, 'the woken instance committed no chunk of its own after the pause');

      const job = await untilFinished(second.fetch, location);
      t.like(job, { state: 'done', progress: { total: TOTAL, processed: TOTAL, created: TOTAL, rejected: 0 } });
      assertEveryRowOnce(t, await audit(database.url, id), 'paused', TOTAL);
      t.is((await ticketTitles(database.url)).length, TOTAL);
      t.deepEqual(
        claims([first]).map((c) => c.from),
        [0],
        'the first instance claimed the job once, at the start',
      );
      t.false(
        first.logs.some((entry) => entry.msg === 'import done' || entry.msg === 'import failed'),
        'nor did it finish or fail it',
      );
    } finally {
      first.child.kill('SIGCONT');
      await first.stop('SIGKILL');
      await second?.stop();
      await database.drop();
    }
  },
);
