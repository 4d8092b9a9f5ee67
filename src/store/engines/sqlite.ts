// SQLite through better-sqlite3: one file, WAL, durability set explicitly; rate-limit counts in a side file.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { type RateLimiterAbstract, RateLimiterSQLite } from 'rate-limiter-flexible';
import type { Synchronous } from '../../config.ts';
import { migrate } from '../migrations.ts';
import { type QueryTimer, operationOf } from '../query-timing.ts';
import type { Database } from '../schema.ts';
import type { Engine } from './engine.ts';
import { sqliteClock } from './sqlite-clock.ts';
import { sqliteSchema } from './sqlite-schema.ts';
import { registerSearchFunctions, sqliteSearch } from './sqlite-search.ts';
import { SearchThread } from './sqlite-search-thread.ts';
import { reusingStatements } from './sqlite-statements.ts';

function sqlitePath(url: string): string {
  return resolve(url.slice('file:'.length));
}

export function openSqlite(path: string, synchronous: Synchronous | 'OFF'): SQLite.Database {
  mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  // The connection that switches a file to WAL reports FULL, a reopened one NORMAL: so set both, every time.
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${synchronous}`);
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // The triggers that keep tickets_terms call it: every connection that may write tickets needs it.
  registerSearchFunctions(database);
  return database;
}

/**
 * Times every statement run on this connection: Kysely's and the reads prepared once beside it
 * (src/store/ticket-reads.ts) alike. SQLite runs in this thread, so the time is exactly the statement's. Each
 * statement is wrapped once, when it is first prepared (reusingStatements keeps it thereafter).
 */
function timingStatements(database: SQLite.Database, timer: QueryTimer): SQLite.Database {
  const prepare = database.prepare.bind(database);
  database.prepare = ((source: string) => {
    const statement = prepare(source);
    const operation = operationOf(source);
    for (const method of ['run', 'all', 'get'] as const) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- one type for three methods picked by name
      const original = statement[method].bind(statement) as (...parameters: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...parameters: unknown[]) => {
        const started = performance.now();
        try {
          return original(...parameters);
        } finally {
          timer(operation, (performance.now() - started) / 1e3);
        }
      };
    }
    return statement;
  }) as SQLite.Database['prepare'];
  return database;
}

/** COMMIT, or END, as Kysely and our own migrations send it. */
const COMMIT = /^\s*(commit|end)\b/i;

/**
 * Counts this connection's commits: after every COMMIT, and after every statement that writes (outside a
 * transaction it commits itself), the count goes up. It is read before a read and compared after, so that an
 * answer built from that read is kept only while no commit came between. Counting on every write too (not only
 * on COMMIT) costs nothing and errs only towards a fresher answer: a group whose member failed is rolled back,
 * then run again, and each of its writes counts again.
 */
function countingCommits(database: SQLite.Database): { database: SQLite.Database; commits: () => number } {
  let commits = 0;
  const prepare = database.prepare.bind(database);
  database.prepare = ((source: string) => {
    const statement = prepare(source);
    if (statement.readonly && !COMMIT.test(source)) return statement;
    for (const method of ['run', 'all', 'get', 'iterate'] as const) {
      const original = statement[method].bind(statement) as (...parameters: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...parameters: unknown[]) => {
        try {
          return original(...parameters);
        } finally {
          commits++;
        }
      };
    }
    return statement;
  }) as SQLite.Database['prepare'];
  return { database, commits: () => commits };
}

/**
 * The side file as RateLimiterSQLite sees it. It prepares (compiles) its upsert anew on every request and wraps
 * that one statement in an explicit transaction (BEGIN and COMMIT: two more statements); together a fifth of a
 * GET's time. Here its statements are compiled once, and the upsert runs on its own: SQLite runs every
 * statement atomically in an implicit transaction, so the count is exactly as safe from concurrent instances.
 */
function rateLimitClient(database: SQLite.Database): Pick<SQLite.Database, 'prepare' | 'transaction'> {
  const statements = reusingStatements(database);
  return {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the limiter's client type wants better-sqlite3's own prepare
    prepare: statements.prepare.bind(statements) as SQLite.Database['prepare'],
    transaction: ((run: (...args: unknown[]) => unknown) => run) as SQLite.Database['transaction'],
  };
}

/**
 * Migrates inside one IMMEDIATE transaction: it takes the write lock before reading which migrations are done,
 * so processes starting at once on a fresh file queue (busy_timeout) instead of failing on a stale read.
 */
async function migrateExclusively(db: Kysely<Database>): Promise<void> {
  await db.connection().execute(async (connection) => {
    await sql`BEGIN IMMEDIATE`.execute(connection);
    try {
      await migrate(connection, sqliteSchema, { inTransaction: true });
      await sql`COMMIT`.execute(connection);
    } catch (error) {
      await sql`ROLLBACK`.execute(connection);
      throw error;
    }
  });
}

export async function openSqliteEngine(url: string, synchronous: Synchronous, timer?: QueryTimer): Promise<Engine> {
  const path = sqlitePath(url);
  const opened = openSqlite(path, synchronous);
  // Prepared before the wrappers below, so it runs bare: the answer cache asks it on every kept answer, and the
  // query timer's two clock reads and histogram observation cost more than the statement. So it is not among
  // the database query metrics (README's Metrics), which count the queries that answer requests.
  const dataVersion = opened.prepare('PRAGMA data_version').pluck(true);
  const { database, commits } = countingCommits(timer ? timingStatements(opened, timer) : opened);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(database) }) });
  await migrateExclusively(db);
  // Rate-limit counters live in a file of their own beside the data: they are written on every request, need no
  // durability (synchronous OFF), and must never wait on, or block, a write transaction of the main database.
  const limits = openSqlite(path.replace(/(\.db)?$/, '.limits.db'), 'OFF');
  // One view for both limiters: reusingStatements wraps the connection's own prepare, so wrap it once.
  const limitsClient = rateLimitClient(limits);
  // Made when the store asks for it, with its search bound; the thread itself starts with the first search.
  let searcher: SearchThread | undefined;
  const searchThread = (searchBound: number) => (searcher ??= new SearchThread(path, searchBound, timer));
  return {
    name: 'sqlite',
    db,
    search: sqliteSearch,
    clock: sqliteClock,
    connection: database,
    searcher: searchThread,
    // Our own commits, counted; and PRAGMA data_version, which changes when another connection (another
    // instance, a worker process) commits to the file, and never for this connection's own.
    generation: () => `${commits()}:${String(dataVersion.get())}`,
    rateLimiter: ({ keyPrefix, points, durationSeconds }) =>
      new Promise<RateLimiterAbstract>((resolve, reject) => {
        const options = {
          storeClient: limitsClient,
          storeType: 'better-sqlite3',
          tableName: 'rate_limits',
          keyPrefix,
          points,
          duration: durationSeconds,
          clearExpiredByTimeout: true,
        };
        // The table is made asynchronously; the limiter is handed out only once it is there.
        const limiter: RateLimiterSQLite = new RateLimiterSQLite(options, (error?: Error) =>
          error ? reject(error) : resolve(limiter),
        );
      }),
    async close() {
      await searcher?.close();
      await db.destroy();
      limits.close();
    },
  };
}
