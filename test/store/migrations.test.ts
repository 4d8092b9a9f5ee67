// Instances may start together on a fresh database (several processes on one machine, or several machines on
// one PostgreSQL): the schema is made once, every instance comes up, and a start waits for a migration in progress.
// The instances are separate processes, as in production: SQLite waits for locks synchronously, so instances in
// one process would block one another's event loop.
import { readFileSync, writeFileSync } from 'node:fs';
import test from 'ava';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { MIGRATION_LOCK } from '../../src/store/engines/postgres.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, inspectDatabase, postgresServerUrl, testEngine } from '../helpers/database.ts';
import { type ServerProcess, spawnServer } from '../helpers/process.ts';
import { json } from '../helpers/server.ts';

const INSTANCES = 3;

test('instances starting at once on a fresh database all come up on one schema, migrated once', async (t) => {
  const database = await createTestDatabase();
  const starts = await Promise.allSettled(
    Array.from({ length: INSTANCES }, () => spawnServer({ DATABASE_URL: database.url })),
  );
  const servers = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  try {
    t.deepEqual(
      starts.filter((start) => start.status === 'rejected'),
      [],
      'every instance started',
    );
    const migrations = await inspectDatabase(database.url, (db) =>
      db
        .selectFrom('kysely_migration' as never)
        .select(sql<string>`name`.as('name'))
        .orderBy(sql`name`)
        .execute(),
    );
    t.deepEqual(
      migrations.map((m) => m.name),
      [
        '0001-initial',
        '0002-tokens',
        '0003-imports',
        '0004-faq-source-uris',
        '0005-import-retention',
        '0006-commit-markers',
        '0007-search-terms',
        '0008-import-parts',
        '0009-search-word-lists',
        '0010-search-word-initials',
      ],
    );
    // Each instance writes; every one of them then counts every write, so they share one database and one set of counters.
    for (const [n, server] of servers.entries()) {
      const response = await server.fetch(
        '/tickets',
        json('POST', { title: `Written through instance ${n}`, requester: 'r@example.com' }),
      );
      t.is(response.status, 201);
    }
    for (const server of servers) {
      const listing = (await (await server.fetch('/tickets?size=100')).json()) as {
        page: { totalElements: number };
        _embedded: { tickets: unknown[] };
      };
      t.is(listing.page.totalElements, INSTANCES);
      t.is(listing._embedded.tickets.length, INSTANCES);
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
  }
});

/** Holds what the engine's migration lock is for as long as `hold` runs: the advisory lock, or SQLite's write lock. */
async function holdingMigrationLock(url: string, hold: () => Promise<void>): Promise<void> {
  if (testEngine === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
      await hold();
    } finally {
      await client.end();
    }
    return;
  }
  const file = new SQLite(url.slice('file:'.length));
  try {
    file.pragma('journal_mode = WAL');
    file.exec('BEGIN IMMEDIATE');
    await hold();
    file.exec('ROLLBACK');
  } finally {
    file.close();
  }
}

test('an instance starting while another migrates waits for it, touching nothing, then starts', async (t) => {
  const database = await createTestDatabase();
  let started: ServerProcess | undefined;
  try {
    let starting: Promise<ServerProcess> | undefined;
    await holdingMigrationLock(database.url, async () => {
      starting = spawnServer({ DATABASE_URL: database.url });
      starting.then(
        (server) => (started = server),
        () => {},
      );
      // Long enough for a start that did not wait to have listened (a start takes about a second here).
      await new Promise((resolve) => setTimeout(resolve, 2500));
      t.is(started, undefined, 'the instance waited for the lock');
      if (testEngine === 'postgres') {
        // Not even Kysely's own bookkeeping tables were made: all of the migration happens under the lock.
        const { rows } = await inspectDatabase(database.url, (db) =>
          sql<{ n: string }>`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`.execute(db),
        );
        t.is(Number(rows[0]!.n), 0);
      }
    });
    const server = await starting!;
    started = server;
    t.is(
      (await server.fetch('/tickets', json('POST', { title: 'After the wait', requester: 'r@example.com' }))).status,
      201,
    );
  } finally {
    await started?.stop();
    await database.drop();
  }
});

if (testEngine === 'postgres') {
  test('a PostgreSQL database that would split words wrongly (not UTF8) is refused at start, and left untouched', async (t) => {
    const name = `helpdesk_test_ascii_${Date.now()}`;
    const server = new URL(postgresServerUrl());
    const admin = new pg.Client({ connectionString: server.toString() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'`);
      server.pathname = `/${name}`;
      const error = await t.throwsAsync(openStore({ url: server.toString(), synchronous: 'FULL' }));
      t.regex(error?.message ?? '', /encoding SQL_ASCII .* needs UTF8/);
      const { rows } = await inspectDatabase(server.toString(), (db) =>
        sql<{ n: string }>`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`.execute(db),
      );
      t.is(Number(rows[0]!.n), 0);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
} else {
  test('a file that is not a SQLite database is refused at start, and left untouched', async (t) => {
    const database = await createTestDatabase();
    const file = database.url.slice('file:'.length);
    writeFileSync(file, 'not a database, but somebody’s notes\n');
    try {
      // better-sqlite3's SqliteError does not pass ava's Error check, so catch it by hand.
      const refusal = await openStore({ url: database.url, synchronous: 'FULL' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      t.is((refusal as { code?: string } | undefined)?.code, 'SQLITE_NOTADB');
      t.is(readFileSync(file, 'utf8'), 'not a database, but somebody’s notes\n');
    } finally {
      await database.drop();
    }
  });
}
