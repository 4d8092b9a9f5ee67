// Retention of finished imports, as the store sweeps it: at most a batch of jobs per sweep, those that finished
// longest ago first, never one still queued or running; what is left of each is its row (so that its address can
// answer 410), without its submitted rows or its refused rows, while the rows linking its tickets stay. Instances that
// sweep at once remove each job once between them.
import test from 'ava';
import { rowOutcome } from '../../src/resources/imports/rows.ts';
import { type Store, openStore } from '../../src/store/index.ts';
import { createTestDatabase, inspectDatabase } from '../helpers/database.ts';
import { keptRows, submitToStore, ticketRow } from '../helpers/imports.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withStores(count: number, run: (stores: Store[], url: string) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  // One after the other: SQLite waits for the migration lock synchronously, which would block the other's migration.
  const stores: Store[] = [];
  for (let n = 0; n < count; n += 1) stores.push(await openStore({ url: database.url, synchronous: 'NORMAL' }));
  try {
    await run(stores, database.url);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await database.drop();
  }
}

/** Two good rows and a refused one. */
const rowsOf = (tag: string) => [ticketRow(tag, 1), { title: `${tag} without requester` }, ticketRow(tag, 3)];

/** Submits a job and runs it to its end as a worker would: done, or failed after its first row. */
async function finishedJob(store: Store, tag: string, end: 'done' | 'failed' = 'done'): Promise<number> {
  const rows = rowsOf(tag);
  const { id } = await submitToStore(store, rows);
  const claimed = await store.imports.claim('worker', 60_000);
  if (claimed?.id !== id) throw new Error(`expected to claim job ${id}`);
  const count = end === 'done' ? rows.length : 1;
  await store.imports.commitChunk(
    { id, processed: 0 },
    'worker',
    rows.slice(0, count).map((raw, i) => rowOutcome(raw, i + 1)),
    60_000,
  );
  if (!(await store.imports.finish(id, 'worker', end === 'done' ? undefined : 'broke')))
    throw new Error(`could not finish job ${id}`);
  // Finishing times are milliseconds apart, so that "oldest first" has an order to keep.
  await pause(5);
  return id;
}

async function recordOf(url: string, id: number) {
  return inspectDatabase(url, async (db) => ({
    ...(await db.selectFrom('imports').select('state').where('id', '=', id).executeTakeFirstOrThrow()),
    rows: (await keptRows(db, id)).length,
    outcomes: (
      await db
        .selectFrom('import_rows')
        .select(['row', 'ticket_id', 'problem'])
        .where('import_id', '=', id)
        .orderBy('row')
        .execute()
    ).map((r) => [r.row, r.ticket_id === null ? 'no ticket' : 'ticket', r.problem === null ? 'no problem' : 'problem']),
  }));
}

test('a sweep removes at most a batch of finished jobs past their retention, those that finished first, and never an unfinished one', async (t) => {
  await withStores(1, async ([store], url) => {
    const { imports } = store!;
    // Finished in the order c, a, d, b (ids 1 to 4): the sweep goes by when they finished, not by id.
    const ids = { c: 0, a: 0, d: 0, b: 0 };
    ids.c = await finishedJob(store!, 'c');
    ids.a = await finishedJob(store!, 'a', 'failed');
    ids.d = await finishedJob(store!, 'd');
    ids.b = await finishedJob(store!, 'b');
    const running = await submitToStore(store!, rowsOf('running'));
    t.truthy(await imports.claim('worker', 60_000));
    const queued = await submitToStore(store!, rowsOf('queued'));
    const failedBefore = await recordOf(url, ids.a);
    t.is(failedBefore.rows, 3, 'a failed job keeps its rows until then');
    t.deepEqual((await recordOf(url, ids.c)).outcomes, [
      [1, 'ticket', 'no problem'],
      [2, 'no ticket', 'problem'],
      [3, 'ticket', 'no problem'],
    ]);

    t.is(await imports.expire(3_600_000, 10), 0, 'none finished an hour ago');
    await pause(30);
    t.is(await imports.expire(20, 2), 2);
    const states = async () =>
      Promise.all(
        [ids.c, ids.a, ids.d, ids.b, running.id, queued.id].map(async (id) => (await recordOf(url, id)).state),
      );
    t.deepEqual(await states(), ['expired', 'expired', 'done', 'done', 'running', 'queued']);
    t.is(await imports.expire(20, 2), 2);
    t.is(await imports.expire(20, 2), 0);
    t.deepEqual(await states(), ['expired', 'expired', 'expired', 'expired', 'running', 'queued']);

    // What is left: the row, no submitted rows, and the outcomes that link the tickets, which stay.
    t.deepEqual(await recordOf(url, ids.c), {
      state: 'expired',
      rows: 0,
      outcomes: [
        [1, 'ticket', 'no problem'],
        [3, 'ticket', 'no problem'],
      ],
    });
    t.deepEqual(await recordOf(url, ids.a), { state: 'expired', rows: 0, outcomes: [[1, 'ticket', 'no problem']] });
    t.like(await imports.find(ids.c), { id: ids.c, expired: true });
    t.deepEqual(
      (await imports.list({ size: 100, number: 1 })).items.map((job) => job.id),
      [running.id, queued.id],
      'the collection lists only jobs still kept',
    );
    t.is(
      await inspectDatabase(url, async (db) =>
        Number(
          (
            await db
              .selectFrom('tickets')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ),
      3 * 2 + 1,
      'every ticket the jobs created stays',
    );
  });
});

test('instances sweeping at once remove each job once between them', async (t) => {
  await withStores(2, async ([a, b], url) => {
    const ids: number[] = [];
    for (let n = 0; n < 6; n += 1) ids.push(await finishedJob(a!, `job-${n}`));
    await pause(30);
    const removed = await Promise.all([a!.imports.expire(20, 10), b!.imports.expire(20, 10)]);
    t.is(removed[0] + removed[1], 6, `removed ${removed.join(' and ')}`);
    for (const id of ids) t.like(await recordOf(url, id), { state: 'expired', rows: 0 });
  });
});
