// Import leases between instances, on the database's clock: a lease that lapses is taken over by another
// instance and fences the first out of the job; and instances whose own clocks differ by an hour neither steal a
// live job nor keep a dead one, because every lease time is the database's. Two stores on one database stand for
// two instances. Serial: the clock tests move this process's clock while they run.
import test from 'ava';
import { rowOutcome } from '../../src/resources/imports/rows.ts';
import { type Store, openStore } from '../../src/store/index.ts';
import { withClockSkew } from '../helpers/clock.ts';
import { createTestDatabase, inspectDatabase } from '../helpers/database.ts';
import { rowsToRun, submitToStore, ticketRow } from '../helpers/imports.ts';

const HOUR = 3_600_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Instances {
  a: Store;
  b: Store;
  url: string;
}

/** Two instances (stores of their own) on one fresh database. */
async function withInstances(run: (instances: Instances) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const a = await openStore({ url: database.url, synchronous: 'NORMAL' });
  const b = await openStore({ url: database.url, synchronous: 'NORMAL' });
  try {
    await run({ a, b, url: database.url });
  } finally {
    await Promise.all([a.close(), b.close()]);
    await database.drop();
  }
}

const rowsOf = (tag: string, total: number) => Array.from({ length: total }, (_, n) => ticketRow(tag, n + 1));
/** What the worker would commit for rows `from + 1` to `to` (1-based). */
const outcomes = (rows: unknown[], from: number, to: number) =>
  rows.slice(from, to).map((raw, i) => rowOutcome(raw, from + i + 1));

/** Claims as `owner` until it succeeds (a lease lapsing), or throws after `ms`. */
async function claimOnceLapsed(store: Store, owner: string, leaseMs: number, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const claimed = await store.imports.claim(owner, leaseMs);
    if (claimed) return claimed;
    if (Date.now() > deadline) throw new Error(`${owner} could not claim within ${ms} ms`);
    await pause(20);
  }
}

/** The job's row and what it produced, as the database holds them. */
async function holdings(url: string, id: number) {
  return inspectDatabase(url, async (db) => ({
    job: await db
      .selectFrom('imports')
      .select(['state', 'processed', 'created', 'lease_owner', 'lease_expires_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow(),
    rows: (await db.selectFrom('import_rows').select('row').where('import_id', '=', id).orderBy('row').execute()).map(
      (r) => r.row,
    ),
    tickets: (await db.selectFrom('tickets').select('title').orderBy('id').execute()).map((r) => r.title),
  }));
}

test.serial(
  'a lease that lapses is taken over by another instance, and the first can then write nothing to the job',
  async (t) => {
    await withInstances(async ({ a, b, url }) => {
      const LEASE = 300;
      const rows = rowsOf('lapsed', 10);
      const { id } = await submitToStore(a, rows);
      const first = await a.imports.claim('instance-a', LEASE);
      t.like(first, { id, state: 'running', processed: 0 });
      t.true(await a.imports.commitChunk({ id, processed: 0 }, 'instance-a', outcomes(rows, 0, 4), LEASE));
      t.is(await b.imports.claim('instance-b', LEASE), undefined, 'a live lease is not taken');

      // Instance A stalls (no chunk, no heartbeat): once its lease lapses, B takes the job where A's last commit left it.
      const second = await claimOnceLapsed(b, 'instance-b', 60_000);
      t.like(second, { id, state: 'running', processed: 4 });
      t.deepEqual(await rowsToRun(b, id, 4), rows.slice(4));
      t.deepEqual(await rowsToRun(b, id, 0), rows);

      // A wakes up: its next chunk, its heartbeat, finishing and giving the job back are all refused, and change nothing.
      const taken = await holdings(url, id);
      t.false(await a.imports.commitChunk({ id, processed: 4 }, 'instance-a', outcomes(rows, 4, 8), LEASE));
      t.false(await a.imports.heartbeat(id, 'instance-a', LEASE));
      t.false(await a.imports.finish(id, 'instance-a'));
      t.false(await a.imports.finish(id, 'instance-a', 'A thinks it broke'));
      await a.imports.release(id, 'instance-a');
      t.deepEqual(await holdings(url, id), taken);
      t.like(taken, {
        job: { state: 'running', processed: 4, created: 4, lease_owner: 'instance-b' },
        rows: [1, 2, 3, 4],
      });

      t.true(await b.imports.commitChunk({ id, processed: 4 }, 'instance-b', outcomes(rows, 4, 8), LEASE));
      t.true(await b.imports.commitChunk({ id, processed: 8 }, 'instance-b', outcomes(rows, 8, 10), LEASE));
      t.true(await b.imports.finish(id, 'instance-b'));
      const done = await holdings(url, id);
      t.like(done.job, { state: 'done', processed: 10, created: 10, lease_owner: null });
      t.deepEqual(done.rows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      t.deepEqual(
        done.tickets,
        rows.map((row) => row.title),
        'each row made its ticket once',
      );
    });
  },
);

test.serial('the skewed clock of these tests moves what JavaScript reads, not what the database reads', async (t) => {
  await withInstances(async ({ a }) => {
    const database = async () => (await submitToStore(a, rowsOf('clock', 1))).createdAt;
    const machine = Date.now();
    const [javascript, stored] = await withClockSkew(HOUR, async () => [Date.now(), await database()] as const);
    t.true(Math.abs(javascript - machine - HOUR) < 60_000, 'JavaScript reads an hour ahead');
    t.true(
      Math.abs(Date.parse(stored) - machine) < 60_000,
      `the database stamped the job with its own time: ${stored}`,
    );
    t.regex(stored, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'in the format the columns have always held');
  });
});

test.serial('an instance whose clock runs an hour ahead does not take over a job whose lease is live', async (t) => {
  await withInstances(async ({ a, b, url }) => {
    const rows = rowsOf('ahead', 4);
    const { id } = await submitToStore(a, rows);
    t.truthy(await a.imports.claim('instance-a', 60_000));
    t.is(await withClockSkew(HOUR, () => b.imports.claim('instance-b', 60_000)), undefined);
    t.true(
      await a.imports.commitChunk({ id, processed: 0 }, 'instance-a', outcomes(rows, 0, 4), 60_000),
      'A still holds it',
    );
    t.like((await holdings(url, id)).job, { lease_owner: 'instance-a', processed: 4 });
  });
});

test.serial(
  'an instance whose clock runs an hour behind takes and renews leases that others see as live',
  async (t) => {
    await withInstances(async ({ a, b, url }) => {
      const { id } = await submitToStore(a, rowsOf('behind', 4));
      const before = Date.now();
      t.truthy(await withClockSkew(-HOUR, () => a.imports.claim('instance-a', 60_000)));
      const { job } = await holdings(url, id);
      const expires = Date.parse(job.lease_expires_at!);
      t.true(
        expires >= before + 60_000 - 5_000 && expires <= Date.now() + 60_000 + 5_000,
        `the lease ends a minute from now on the database's clock: ${job.lease_expires_at}`,
      );
      t.is(await b.imports.claim('instance-b', 60_000), undefined);
      t.true(await withClockSkew(-HOUR, () => a.imports.heartbeat(id, 'instance-a', 60_000)));
      t.is(await b.imports.claim('instance-b', 60_000), undefined);
      t.like((await holdings(url, id)).job, { lease_owner: 'instance-a' });
    });
  },
);

test.serial(
  'a job held by an instance whose clock runs an hour ahead is taken over once its lease lapses, not an hour later',
  async (t) => {
    await withInstances(async ({ a, b, url }) => {
      const { id } = await submitToStore(a, rowsOf('dead', 4));
      t.truthy(await withClockSkew(HOUR, () => a.imports.claim('instance-a', 300)));
      // Instance A dies here. B, on the right time, takes the job once the 300 ms have passed.
      const taken = await claimOnceLapsed(b, 'instance-b', 60_000);
      t.is(taken.id, id);
      t.like((await holdings(url, id)).job, { lease_owner: 'instance-b', state: 'running' });
    });
  },
);
