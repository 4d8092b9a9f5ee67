// The search thread's own side (started by sqlite-search-thread.ts, bundled beside the server as
// dist/sqlite-search-worker.js): each message is one ticket search, run to its end here by the same TicketStore
// code as everywhere, on a read-only connection of this thread's own, and answered with its page. Searches are
// run one after another, as SQLite runs one statement at a time on a connection anyway.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { MatchPage } from '../matches.ts';
import { type Operation, operationOf } from '../query-timing.ts';
import type { Database } from '../schema.ts';
import { kyselyTicketReads } from '../ticket-reads.ts';
import { type TicketFilter, TicketStore } from '../tickets.ts';
import type { Ticket } from '../../domain/tickets.ts';
import type { PageRequest } from '../pagination.ts';
import { readOnlyWrites } from '../writes.ts';
import { sqliteSearch } from './sqlite-search.ts';
import { reusingStatements } from './sqlite-statements.ts';

/** What the thread is started with: the database file and the search bound (SEARCH_BOUND). */
export interface SearchThreadData {
  path: string;
  searchBound: number;
}

/** One search asked of the thread. */
export interface SearchAsked {
  id: number;
  text: string;
  filter: TicketFilter;
  request: PageRequest;
}

/** Its page or its error, and how long each of its statements ran (for the query metrics). */
export type SearchAnswered = { id: number; timings: [Operation, number][] } & (
  { page: MatchPage<Ticket>; error?: undefined } | { error: { message: string; name: string; code?: string } }
);

const { path, searchBound } = workerData as SearchThreadData;
if (!parentPort) throw new Error('sqlite-search-worker.ts runs as the search thread only');
const port = parentPort;

let timings: [Operation, number][] = [];
let store: TicketStore | undefined;

/**
 * The store, opened with the first search: a file that cannot be opened is that search's error, with SQLite's
 * code, rather than the end of the thread.
 */
function opened(): TicketStore {
  if (store) return store;
  const connection = new SQLite(path, { readonly: true, fileMustExist: true });
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: reusingStatements(connection) }),
    log(event) {
      timings.push([operationOf(event.query.sql), event.queryDurationMillis / 1e3]);
    },
  });
  store = new TicketStore(db, sqliteSearch, readOnlyWrites, kyselyTicketReads(db), undefined, searchBound);
  return store;
}

/** An error as plain data, which a message can carry: its message, name and SQLite's code. */
function plain(error: unknown): { message: string; name: string; code?: string } {
  const { message, name, code } = (error ?? {}) as { message?: unknown; name?: unknown; code?: unknown };
  return { message: String(message), name: String(name), ...(typeof code === 'string' ? { code } : {}) };
}

/** Runs one search and sends its answer; whatever fails is that search's error, never the next one's. */
async function answer({ id, text, filter, request }: SearchAsked): Promise<void> {
  timings = [];
  let answered: SearchAnswered;
  try {
    answered = { id, page: await opened().matching(text, filter, request), timings };
  } catch (error) {
    answered = { id, timings, error: plain(error) };
  }
  try {
    port.postMessage(answered);
  } catch (error) {
    port.postMessage({ id, timings, error: plain(error) } satisfies SearchAnswered);
  }
}

let queue = Promise.resolve();
port.on('message', (asked: SearchAsked) => {
  queue = queue.then(() => answer(asked));
});
