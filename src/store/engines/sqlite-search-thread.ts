// SQLite runs in the thread that calls it: a search of a million tickets (2–5 ms of statements) on the event loop
// makes every other request wait behind it, and behind the searches queued with it. So ticket searches run on a
// worker thread with a read-only connection of its own (WAL lets it read while the main connection writes): the
// thread runs the whole search with the same TicketStore code (sqlite-search-worker.ts) and answers with its page,
// so the event loop only sends one message and waits for one. (Each statement used to be a message there and back:
// two or three a search, each costing a wake-up of the thread and then of the event loop, 0.1–0.15 ms apiece.)
// The thread starts with the first search, so that stores opened for other work (migrations, the CLI) start none.
import { Worker } from 'node:worker_threads';
import type { Ticket } from '../../domain/tickets.ts';
import type { MatchPage } from '../matches.ts';
import type { PageRequest } from '../pagination.ts';
import type { QueryTimer } from '../query-timing.ts';
import type { TicketFilter, TicketSearcher } from '../tickets.ts';
import type { SearchAnswered, SearchAsked, SearchThreadData } from './sqlite-search-worker.ts';

/** src/store/errors.ts counts this code as "database unavailable" (503): the thread stopped, the next search starts another. */
export const SEARCH_THREAD_GONE = 'HELPDESK_SEARCH_THREAD_GONE';

/**
 * The thread's code: beside this module's bundle (dist/sqlite-search-worker.js, `npm run build`), or, run from the
 * sources, the TypeScript module itself, loaded through tsx (a worker does not inherit the loader of its parent).
 */
function threadSource(): { source: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts'))
    return { source: new URL('./sqlite-search-worker.js', import.meta.url), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./sqlite-search-worker.ts', import.meta.url).href;
  return {
    source: `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); })`,
    eval: true,
  };
}

function gone(message: string): Error {
  return Object.assign(new Error(message), { code: SEARCH_THREAD_GONE });
}

/** The thread's error as an Error here, with SQLite's code (SQLITE_BUSY stays "unavailable": 503). */
function revived({ message, name, code }: { message: string; name: string; code?: string }): Error {
  const error = Object.assign(new Error(message), code === undefined ? {} : { code });
  error.name = name;
  return error;
}

/** The thread, started on demand and again after it stopped; searches wait for their answers by id. */
export class SearchThread implements TicketSearcher {
  private worker: Worker | undefined;
  private closed = false;
  private asked = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (page: MatchPage<Ticket>) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly path: string,
    private readonly searchBound: number,
    private readonly timer?: QueryTimer,
  ) {}

  async matching(text: string, filter: TicketFilter, request: PageRequest): Promise<MatchPage<Ticket>> {
    if (this.closed) throw gone('the search thread is closed');
    const worker = (this.worker ??= this.start());
    const id = ++this.asked;
    return new Promise<MatchPage<Ticket>>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, text, filter, request } satisfies SearchAsked);
    });
  }

  private start(): Worker {
    const { source, eval: evaluated } = threadSource();
    const worker = new Worker(source, {
      eval: evaluated,
      workerData: { path: this.path, searchBound: this.searchBound } satisfies SearchThreadData,
    });
    worker.on('message', ({ id, timings, ...answer }: SearchAnswered) => {
      // Timed in the thread: each statement's own time, as on the main connection.
      for (const [operation, seconds] of timings) this.timer?.(operation, seconds);
      const pending = this.waiting.get(id);
      if (!pending) return;
      this.waiting.delete(id);
      if (answer.error) pending.reject(revived(answer.error));
      else pending.resolve(answer.page);
    });
    // A thread that failed to start, or threw outside a search: its searches fail, the next starts another.
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

  /** Ends the thread (and its connection); searches waiting then fail as unavailable. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(gone('the search thread is closed'));
    await worker?.terminate();
  }
}
