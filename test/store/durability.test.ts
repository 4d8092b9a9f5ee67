// A write is acknowledged only once it is durable, and the server says so itself on every connection rather than
// trusting the database's defaults: SQLite's synchronous as configured (WAL), PostgreSQL's synchronous_commit=on.
import test from 'ava';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, inspectDatabase, testEngine } from '../helpers/database.ts';

test('the store opens the engine under test', async (t) => {
  const database = await createTestDatabase();
  const store = await openStore({ url: database.url, synchronous: 'FULL' });
  try {
    t.is(store.engine, testEngine);
  } finally {
    await store.close();
    await database.drop();
  }
});

if (testEngine === 'postgres') {
  test('every PostgreSQL connection commits with synchronous_commit=on, even where the database says off', async (t) => {
    const database = await createTestDatabase();
    const name = new URL(database.url).pathname.slice(1);
    await inspectDatabase(database.url, (db) =>
      sql`ALTER DATABASE ${sql.id(name)} SET synchronous_commit = off`.execute(db),
    );
    const store = await openStore({ url: database.url, synchronous: 'FULL' });
    try {
      const plain = await inspectDatabase(database.url, (db) =>
        sql<{ setting: string }>`SELECT current_setting('synchronous_commit') AS setting`.execute(db),
      );
      t.is(plain.rows[0]!.setting, 'off', 'a connection that does not ask gets the database default');
      // At once, so that the pool hands out several connections.
      const answers = await Promise.all(
        Array.from({ length: 3 }, () =>
          sql<{
            setting: string;
            pid: number;
          }>`SELECT current_setting('synchronous_commit') AS setting, pg_backend_pid() AS pid, pg_sleep(0.1)`.execute(
            store.db,
          ),
        ),
      );
      t.deepEqual([...new Set(answers.map((a) => a.rows[0]!.setting))], ['on']);
      t.is(new Set(answers.map((a) => a.rows[0]!.pid)).size, 3);
    } finally {
      await store.close();
      await database.drop();
    }
  });
} else {
  test('SQLite runs in WAL mode with synchronous as configured, on a new file and on a reopened one', async (t) => {
    const database = await createTestDatabase();
    try {
      for (const [synchronous, level] of [
        ['FULL', 2],
        ['NORMAL', 1],
        ['FULL', 2],
      ] as const) {
        const store = await openStore({ url: database.url, synchronous });
        try {
          t.is(
            (await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(store.db)).rows[0]!.journal_mode,
            'wal',
          );
          t.is(
            (await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(store.db)).rows[0]!.synchronous,
            level,
            synchronous,
          );
        } finally {
          await store.close();
        }
      }
    } finally {
      await database.drop();
    }
  });
}
