// PostgreSQL through node-postgres: a pool whose every connection commits durably, a schema migrated under an
// advisory lock (instances may start together), and rate-limit counts in a table every instance shares.
import { createHash } from 'node:crypto';
import { Kysely, type LogEvent, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { migrate } from '../migrations.ts';
import { type QueryTimer, operationOf } from '../query-timing.ts';
import type { Database } from '../schema.ts';
import { PLAN_ONCE } from '../text-search.ts';
import type { Engine } from './engine.ts';
import { postgresClock } from './postgres-clock.ts';
import { postgresSchema } from './postgres-schema.ts';
import { postgresSearch } from './postgres-search.ts';

/** The advisory lock key that instances hold while they migrate ("helpdesk" in ASCII, as a bigint). */
export const MIGRATION_LOCK = 0x68656c706465736bn;

/**
 * Search splits text into letters and digits with `[[:alnum:]]`, which follows the database's encoding and
 * LC_CTYPE: refuse to start where that would not see "é", "ж" or "日" as letters, rather than search wrongly.
 */
async function checkEncoding(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ encoding: string; ctype: string; letters: boolean }>`
    SELECT current_setting('server_encoding') AS encoding, datctype AS ctype, 'éж日' ~ '^[[:alnum:]]+$' AS letters
    FROM pg_database WHERE datname = current_database()`.execute(db);
  const [settings] = rows;
  if (!settings) throw new Error('PostgreSQL did not describe the current database');
  const { encoding, ctype, letters } = settings;
  if (encoding !== 'UTF8' || !letters) {
    throw new Error(
      `PostgreSQL database has encoding ${encoding} and LC_CTYPE ${ctype}; the helpdesk needs UTF8 with a Unicode locale ` +
        `(CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8')`,
    );
  }
}

/**
 * Kysely's Migrator locks only around running the migrations, not around creating its own tables first. Holding a
 * session advisory lock on one connection for the whole of it makes instances that start together take turns:
 * the first migrates, the others then find nothing left to do.
 */
async function migrateExclusively(db: Kysely<Database>): Promise<void> {
  await db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(connection);
    try {
      await migrate(connection, postgresSchema);
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(connection);
    }
  });
}

/**
 * Statements that end with PLAN_ONCE run as named statements, named by their text: node-postgres parses each once
 * per connection, and the server keeps its plan. After five executions PostgreSQL plans such a statement once
 * for any values (a generic plan) when that costs no more than the plans made for each: PLAN_ONCE statements are
 * written so (their values in subqueries), as parse and plan were 0.7–0.9 ms of a 1,111-match search. Not
 * `plan_cache_mode=force_generic_plan` on the connection: that applies to Kysely's unnamed statements too, and
 * made the searches that walk the index 100 times slower.
 */
function planOnce(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = (text: string) => `helpdesk_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text !== 'string' || !text.endsWith(PLAN_ONCE) || !Array.isArray(values) || args.length > 2)
      return query(...args);
    return query({ name: named(text), text, values });
  };
}

export async function openPostgresEngine(url: string, timer?: QueryTimer): Promise<Engine> {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: 'helpdesk',
    // Durability is stated per connection, not left to the server's or the database's defaults: a commit is
    // acknowledged only once its WAL is flushed.
    options: '-c synchronous_commit=on',
    // A database that does not accept a connection within this time counts as unavailable (503), rather than
    // leaving the request to wait for its deadline; TCP keep-alive finds connections a network silently dropped.
    connectionTimeoutMillis: 3_000,
    keepAlive: true,
  });
  // A connection that breaks while idle (a database restart) is dropped by the pool; the next query gets a new one.
  pool.on('error', () => {});
  // One that breaks while checked out but between two queries (inside a transaction, say) emits 'error' on the
  // client, which with no listener would end the process. The query that used it fails instead (503), and the
  // pool discards the client when it comes back, as it is no longer queryable.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    planOnce(client);
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    // Kysely times each query on the connection it was given: the wait for a connection is not in it (the pool's
    // waiting count shows that).
    ...(timer
      ? { log: (event: LogEvent) => timer(operationOf(event.query.sql), event.queryDurationMillis / 1e3) }
      : {}),
  });
  try {
    await checkEncoding(db);
    await migrateExclusively(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    name: 'postgres',
    db,
    search: postgresSearch,
    clock: postgresClock,
    // Answers are not kept on PostgreSQL: see docs/performance.md (a version row every write would have to lock).
    generation: () => undefined,
    rateLimiter: async ({ keyPrefix, points, durationSeconds }) =>
      // The migrations made the table (under the lock), so the limiter need not race other instances to it.
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true,
        keyPrefix,
        points,
        duration: durationSeconds,
        clearExpiredByTimeout: true,
      }),
    // Read at each scrape (src/metrics/database.ts).
    pool: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max ?? 10,
    }),
    close: () => db.destroy(),
  };
}
