// The store: one database, the queries of each resource over it, and the shared rate-limit counters.
import type { Kysely } from 'kysely';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { type DatabaseOptions, openDatabase } from './database.ts';
import type { EngineName, PoolStats, RateLimitOptions } from './engines/engine.ts';
import { FaqStore } from './faqs.ts';
import { ImportStore } from './imports.ts';
import type { Database } from './schema.ts';
import { kyselyTicketReads, preparedTicketInsert, preparedTicketReads } from './ticket-reads.ts';
import { DEFAULT_SEARCH_BOUND, TicketStore } from './tickets.ts';
import { TokenStore } from './tokens.ts';
import { groupCommit, writesAlone } from './writes.ts';

export interface Store {
  engine: EngineName;
  tickets: TicketStore;
  faqs: FaqStore;
  tokens: TokenStore;
  imports: ImportStore;
  db: Kysely<Database>;
  /** A limiter whose counts live in the database, so every instance on it shares them. */
  rateLimiter(options: RateLimitOptions): Promise<RateLimiterAbstract>;
  /**
   * Changes whenever a write is committed (by any instance); read it before a read, and keep what that read
   * gave only while it is unchanged. Undefined: nothing may be kept.
   */
  generation(): string | undefined;
  /** PostgreSQL only: its connection pool now. */
  pool?: () => PoolStats;
  /** Resolves once the database has answered a read of the schema; rejects when it cannot. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions extends DatabaseOptions {
  /** Commit concurrent writes together (one durable commit for many); off: one commit per write. Default on. */
  groupCommit?: boolean;
  /** Searches with at most this many matches are ranked and counted exactly (SEARCH_BOUND); default 200. */
  searchBound?: number;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const engine = await openDatabase(options);
  // Only a COMMIT sent over a connection can be lost on its way back; SQLite's returns where it runs.
  const writes =
    (options.groupCommit ?? true)
      ? groupCommit(engine.db, { markCommits: engine.name === 'postgres' })
      : writesAlone(engine.db);
  const reads = kyselyTicketReads(engine.db);
  // Searches run where the engine has a place of their own for them (SQLite: a thread); they never write.
  const searcher = engine.searcher?.(options.searchBound ?? DEFAULT_SEARCH_BOUND);
  return {
    engine: engine.name,
    generation: () => engine.generation(),
    tickets: engine.connection
      ? new TicketStore(
          engine.db,
          engine.search,
          writes,
          preparedTicketReads(engine.connection, reads),
          preparedTicketInsert(engine.connection),
          options.searchBound,
          searcher,
        )
      : new TicketStore(engine.db, engine.search, writes, reads, undefined, options.searchBound),
    faqs: new FaqStore(engine.db, engine.search, writes),
    tokens: new TokenStore(engine.db, writes),
    imports: new ImportStore(engine.db, engine.name, engine.clock),
    db: engine.db,
    rateLimiter: (limits) => engine.rateLimiter(limits),
    ...(engine.pool ? { pool: engine.pool } : {}),
    async ping() {
      await engine.db.selectFrom('counters').select('value').limit(1).execute();
    },
    async close() {
      // Writes already handed over are finished (committed or refused) before the connection goes.
      await writes.settled();
      await engine.close();
    },
  };
}
