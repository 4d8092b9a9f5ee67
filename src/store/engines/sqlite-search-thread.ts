// SQLite runs in the thread that calls it: a search of a million tickets (2–5 ms of statements) on the event loop
// makes every other request wait behind it, and behind the searches queued with it. So searches run their
// statements on a worker thread with a read-only connection of its own (WAL lets it read while the main
// connection writes): the same TicketStore code builds them and ranks what they return, through a Kysely whose
// driver sends each compiled statement to the thread and waits for its rows, so the event loop only waits for a
// message. The thread runs plain JavaScript that needs nothing but better-sqlite3, from the sources and the bundle
// alike; it starts with the first statement, so that stores opened for other work (migrations, the CLI) start none.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { type QueryTimer, operationOf } from '../query-timing.ts';
import type { Database } from '../schema.ts';

/** src/store/errors.ts counts this code as "database unavailable" (503): the thread stopped, the next statement starts another. */
export const SEARCH_THREAD_GONE = 'HELPDESK_SEARCH_THREAD_GONE';

/** What the thread is started with: the database file, and where better-sqlite3 is (resolved here, for any cwd). */
interface ThreadData {
  path: string;
  driver: string;
}

/** One statement asked of the thread. */
interface Asked {
  id: number;
  sql: string;
  parameters: readonly unknown[];
}

/** Its rows or its error, and how long it ran. */
type Answered = { id: number; seconds: number } & (
  { rows: unknown[]; error?: undefined } | { error: { message: string; name: string; code?: string } }
);

/** Statements kept compiled in the thread, by their SQL text (ours are parameterised: a few dozen in all). */
const CACHED_STATEMENTS = 500;

// The thread (CommonJS, as eval'd threads are). It opens the file on its first statement, so that a failure to
// open is that statement's error, with SQLite's code, rather than the end of the thread. Read-only: a search never
// writes, and a statement that tried would fail here instead of racing the main connection's writes.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
let connection;
const statements = new Map();
function prepared(sql) {
  if (!connection) {
    connection = new SQLite(workerData.path, { readonly: true, fileMustExist: true });
    connection.pragma('busy_timeout = 5000');
  }
  let statement = statements.get(sql);
  if (statement) statements.delete(sql);
  else statement = connection.prepare(sql);
  statements.set(sql, statement);
  if (statements.size > ${CACHED_STATEMENTS}) statements.delete(statements.keys().next().value);
  return statement;
}
parentPort.on('message', ({ id, sql, parameters }) => {
  const started = performance.now();
  let answer;
  try {
    const statement = prepared(sql);
    answer = { id, rows: statement.reader ? statement.all(parameters) : (statement.run(parameters), []) };
  } catch (error) {
    answer = { id, error: { message: String(error && error.message), name: String(error && error.name), code: typeof (error && error.code) === 'string' ? error.code : undefined } };
  }
  answer.seconds = (performance.now() - started) / 1e3;
  parentPort.postMessage(answer);
});
`;

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

function gone(message: string): Error {
  return Object.assign(new Error(message), { code: SEARCH_THREAD_GONE });
}

/** The thread's error as an Error here, with SQLite's code (SQLITE_BUSY stays "unavailable": 503). */
function revived({ message, name, code }: { message: string; name: string; code?: string }): Error {
  const error = Object.assign(new Error(message), code === undefined ? {} : { code });
  error.name = name;
  return error;
}

/** The thread, started on demand and again after it stopped; statements wait for their answers by id. */
class SearchThread implements DatabaseConnection {
  private worker: Worker | undefined;
  private closed = false;
  private asked = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (rows: unknown[]) => void; reject: (error: Error) => void; sql: string }
  >();

  constructor(
    private readonly path: string,
    private readonly timer?: QueryTimer,
  ) {}

  async executeQuery<R>({ sql, parameters }: CompiledQuery): Promise<QueryResult<R>> {
    if (this.closed) throw gone('the search thread is closed');
    const worker = (this.worker ??= this.start());
    const id = ++this.asked;
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, sql });
      worker.postMessage({ id, sql, parameters } satisfies Asked);
    });
    return { rows: rows as R[] };
  }

  // eslint-disable-next-line require-yield -- Kysely's driver interface asks for a generator; this one never streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the search thread does not stream');
  }

  private start(): Worker {
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: { path: this.path, driver: BETTER_SQLITE3 } satisfies ThreadData,
    });
    worker.on('message', ({ id, seconds, ...answer }: Answered) => {
      const pending = this.waiting.get(id);
      if (!pending) return;
      this.waiting.delete(id);
      // Timed in the thread: the statement's own time, as on the main connection.
      this.timer?.(operationOf(pending.sql), seconds);
      if (answer.error) pending.reject(revived(answer.error));
      else pending.resolve(answer.rows);
    });
    // A thread that failed to start, or threw outside a statement: its statements fail, the next starts another.
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(Object.assign(error, { code: SEARCH_THREAD_GONE }));
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(gone(`the search thread stopped (exit code ${code})`)));
    return worker;
  }

  private failAll(error: Error): void {
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(gone('the search thread is closed'));
    await worker?.terminate();
  }
}

/** Reads only, one statement at a time each (the thread runs them in the order sent): no transactions. */
class SearchThreadDriver implements Driver {
  constructor(private readonly thread: SearchThread) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.thread;
  }
  async releaseConnection(): Promise<void> {}
  async beginTransaction(): Promise<void> {
    throw new Error('the search thread only reads: no transactions');
  }
  async commitTransaction(): Promise<void> {
    throw new Error('the search thread only reads: no transactions');
  }
  async rollbackTransaction(): Promise<void> {
    throw new Error('the search thread only reads: no transactions');
  }
  destroy(): Promise<void> {
    return this.thread.close();
  }
}

/**
 * A Kysely over a read-only connection to the SQLite file at `path` on a thread of its own. Destroying it ends the
 * thread; statements waiting then fail as unavailable.
 */
export function searchThreadDatabase(path: string, timer?: QueryTimer): Kysely<Database> {
  const thread = new SearchThread(path, timer);
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new SearchThreadDriver(thread),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}
