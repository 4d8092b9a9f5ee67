// The rows of an import are kept in parts (migration 0008): a job that was waiting when an instance was upgraded
// keeps its rows (as one part) and runs as any other, a finished one keeps none; and a submission cut short while
// its parts were being stored is never shown, never run, and is swept once as old as a finished job's retention.
import test from 'ava';
import { sql } from 'kysely';
import { rowOutcome } from '../../src/resources/imports/rows.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, inspectDatabase } from '../helpers/database.ts';
import { keptRows, rowsToRun, ticketRow } from '../helpers/imports.ts';
import { migrateTo, touchSqliteFile } from '../helpers/migrations.ts';

test('a job waiting when the rows moved into parts keeps them and runs as any other; a finished one keeps none', async (t) => {
  const database = await createTestDatabase();
  try {
    const rows = [ticketRow('upgraded', 1), { title: 'no requester' }, ticketRow('upgraded', 3)];
    touchSqliteFile(database.url);
    const ids = await inspectDatabase(database.url, async (db) => {
      await migrateTo(db, '0007-search-terms');
      const insert = (state: string, payload: string) =>
        sql<{
          id: number;
        }>`INSERT INTO imports (state, submitted_by, payload, total, created_at) VALUES (${state}, 'test', ${payload}, 3, '2026-12-01T00:00:00.000Z') RETURNING id`.execute(
          db,
        );
      return {
        waiting: (await insert('queued', JSON.stringify(rows))).rows[0]!.id,
        done: (await insert('done', '[]')).rows[0]!.id,
      };
    });

    const store = await openStore({ url: database.url, synchronous: 'NORMAL' });
    try {
      t.deepEqual(await inspectDatabase(database.url, (db) => keptRows(db, ids.waiting)), rows);
      t.deepEqual(await inspectDatabase(database.url, (db) => keptRows(db, ids.done)), []);
      const claimed = await store.imports.claim('upgraded', 60_000);
      t.like(claimed, { id: ids.waiting, total: 3 });
      const read = await rowsToRun(store, ids.waiting, 0);
      t.deepEqual(read, rows);
      t.true(
        await store.imports.commitChunk(
          { id: ids.waiting, processed: 0 },
          'upgraded',
          read.map((raw, i) => rowOutcome(raw, i + 1)),
          60_000,
        ),
      );
      t.true(await store.imports.finish(ids.waiting, 'upgraded'));
      t.like(await store.imports.find(ids.waiting), { state: 'done', created: 2, rejected: 1 });
      t.deepEqual(
        await inspectDatabase(database.url, (db) => keptRows(db, ids.waiting)),
        [],
        'done: its parts are dropped',
      );
    } finally {
      await store.close();
    }
  } finally {
    await database.drop();
  }
});

test('a submission cut short while its parts were stored is never shown or run, and is swept like an old finished job', async (t) => {
  const database = await createTestDatabase();
  const store = await openStore({ url: database.url, synchronous: 'NORMAL' });
  try {
    // What an instance that died mid-submission leaves: the job still receiving, with the parts it had stored.
    const id = await inspectDatabase(database.url, async (db) => {
      const { id } = await db
        .insertInto('imports')
        .values({ state: 'receiving', submitted_by: 'test', total: 2, created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('import_parts')
        .values({ import_id: id, part: 0, first_row: 0, rows: JSON.stringify([ticketRow('cut', 1)]) })
        .execute();
      return id;
    });
    t.is(await store.imports.find(id), undefined);
    t.deepEqual((await store.imports.list({ size: 100, number: 1 })).items, []);
    t.is(await store.imports.claim('worker', 60_000), undefined);
    t.is(await store.imports.expire(3_600_000, 10), 0, 'not yet an hour old');
    await new Promise((resolve) => setTimeout(resolve, 30));
    t.is(await store.imports.expire(20, 10), 1);
    t.deepEqual(await inspectDatabase(database.url, (db) => keptRows(db, id)), [], 'its parts are gone');
    t.like(await store.imports.find(id), { id, expired: true });
  } finally {
    await store.close();
    await database.drop();
  }
});
