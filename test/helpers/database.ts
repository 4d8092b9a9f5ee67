// Gives each test server a database of its own on the engine under test: a fresh SQLite file, or a fresh
// PostgreSQL database (CREATE DATABASE with a random name, dropped afterwards), so test files stay isolated and
// can run at once. HELPDESK_TEST_DATABASE=postgres picks PostgreSQL, at HELPDESK_TEST_POSTGRES_URL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/store/schema.ts';
import { registerSearchFunctions } from '../../src/store/engines/sqlite-search.ts';

export type TestEngine = 'sqlite' | 'postgres';

function engineUnderTest(): TestEngine {
  const name = process.env.HELPDESK_TEST_DATABASE ?? 'sqlite';
  if (name !== 'sqlite' && name !== 'postgres')
    throw new Error(`HELPDESK_TEST_DATABASE: expected sqlite or postgres, got "${name}"`);
  return name;
}

/** The engine this test run exercises. */
export const testEngine: TestEngine = engineUnderTest();

export interface TestDatabase {
  /** A DATABASE_URL for the server (or a CLI) to open. */
  url: string;
  drop: () => Promise<void>;
}

/** The PostgreSQL server the databases are made on (a throw-away cluster: see scripts/with-postgres.sh). */
export function postgresServerUrl(): string {
  const url = process.env.HELPDESK_TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      'HELPDESK_TEST_POSTGRES_URL is not set: run `npm run test:postgres:local`, or set it to a server where databases may be created',
    );
  }
  return url;
}

/**
 * A pool that never crashes the test process: pool.end() resolves before its sockets have closed, so a DROP
 * DATABASE … WITH (FORCE) right after can still reach a closing connection, whose error the pool re-emits.
 */
function quietPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => {});
  return pool;
}

let admin: pg.Pool | undefined;
/** One small pool per test process for CREATE/DROP DATABASE; it never keeps the process alive on its own. */
const adminPool = () => (admin ??= quietPool({ connectionString: postgresServerUrl(), max: 2, allowExitOnIdle: true }));

/** The URL of another database on the same PostgreSQL server. */
function postgresDatabaseUrl(name: string): string {
  const url = new URL(postgresServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `helpdesk_test_${randomBytes(8).toString('hex')}`;
  // From template0 with an explicit encoding and locale, so the cluster's defaults cannot change what search sees.
  await adminPool().query(
    `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`,
  );
  return {
    url: postgresDatabaseUrl(name),
    drop: async () => {
      await adminPool().query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

function createSqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-test-'));
  return {
    url: `file:${join(dir, 'helpdesk.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh, empty database on the engine under test (the server migrates it when it starts). */
export async function createTestDatabase(): Promise<TestDatabase> {
  return testEngine === 'postgres' ? createPostgresDatabase() : createSqliteDatabase();
}

/** The triggers that keep tickets_terms call helpdesk_words: a connection that writes tickets needs it. */
function withSearchFunctions(database: SQLite.Database): SQLite.Database {
  registerSearchFunctions(database);
  return database;
}

/**
 * A connection of a test's own to a database by URL, through the same Kysely schema as the server, for a test
 * that looks inside many times (its caller destroys it).
 */
export function openTestConnection(url: string): Kysely<Database> {
  const dialect = url.startsWith('file:')
    ? new SqliteDialect({
        database: withSearchFunctions(new SQLite(url.slice('file:'.length), { fileMustExist: true })),
      })
    : new PostgresDialect({ pool: quietPool({ connectionString: url, max: 2 }) });
  return new Kysely<Database>({ dialect });
}

/**
 * Opens a database by URL for a test to look inside (through the same Kysely schema as the server, so the test
 * reads the same on both engines), runs `inspect`, and closes it again.
 */
export async function inspectDatabase<T>(url: string, inspect: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const db = openTestConnection(url);
  try {
    return await inspect(db);
  } finally {
    await db.destroy();
  }
}
