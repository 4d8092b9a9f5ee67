// What differs between the database engines, as one interface: the stores and migrations are written once
// against it, and src/store/engines/{sqlite,postgres}*.ts provide it.
import type SQLite from 'better-sqlite3';
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DatabaseClock } from '../clock.ts';
import type { Database } from '../schema.ts';
import type { TextSearch } from '../text-search.ts';
import type { TicketSearcher } from '../tickets.ts';

export type EngineName = 'sqlite' | 'postgres';

/**
 * The database as a migration sees it: untyped, since a migration is frozen in time and must not follow the
 * tables' types as they are today (Kysely's own advice). The one `any` the lint rules allow, and why.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MigrationDatabase = Kysely<any>;

/** Whether a row counts as live, written against the trigger's row variable (NEW or OLD). */
export type LiveCondition = (row: 'NEW' | 'OLD') => string;

/** The engine-specific parts of the schema, as the migrations ask for them. */
export interface SchemaDialect {
  /** An integer primary key the database assigns. */
  identity: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /** The `counters` table with one row per name (value 0), and nothing else. */
  createCounters(db: MigrationDatabase, names: string[]): Promise<void>;
  /** Statements for triggers that keep `counters` equal to the live rows of a table per status. */
  counterTriggers(table: string, live: LiveCondition): string[];
  /** Statements for a full-text index over some columns of a table, kept in step by triggers. */
  searchIndex(table: string, columns: string[]): string[];
  /** Statements for a list of the words a table's rows hold (filled and then kept by triggers), if the engine needs one. */
  searchTerms(table: string, columns: string[]): string[];
  /** Statements for each row's list of its words (filled and then kept by triggers), if the engine needs one. */
  searchWordLists(table: string, columns: string[]): string[];
  /** Statements for the first characters of each row's words, beside its list (searchWordLists), if the engine needs them. */
  searchWordInitials(table: string, columns: string[]): string[];
  /**
   * Statements for a trigger `name` that runs `action` (SQL statements over the row's NEW and OLD) after an
   * update of a row of `table` for which `when` holds.
   */
  afterUpdate(name: string, table: string, when: string, action: string): string[];
  /** Statements for anything else an engine keeps in the database (PostgreSQL: functions, the rate-limit table). */
  extras(): string[];
}

export interface RateLimitOptions {
  /** Distinguishes limiters that share the table (per token, per address). */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

/** An open database of one engine, migrated, with the engine's own tools. */
export interface Engine {
  name: EngineName;
  db: Kysely<Database>;
  search: TextSearch;
  /** The database's own clock, for times that instances compare. */
  clock: DatabaseClock;
  /** A limiter whose counts every instance on this database shares. */
  rateLimiter(options: RateLimitOptions): Promise<RateLimiterAbstract>;
  /** SQLite only: Kysely's own connection, for reads through statements prepared once (src/store/ticket-reads.ts). */
  connection?: SQLite.Database;
  /**
   * SQLite only: who runs ticket searches, on a thread of its own with a read-only connection, bound by
   * `searchBound` (src/store/engines/sqlite-search-thread.ts). Asked once, by the store.
   */
  searcher?: (searchBound: number) => TicketSearcher;
  /**
   * A value that changes whenever a write is committed to the database, by this instance or any other, read
   * before a read so that what the read returns can be kept until it changes; undefined where the engine cannot
   * tell that cheaply (then nothing is kept).
   */
  generation(): string | undefined;
  /** PostgreSQL only: its pool's connections now. */
  pool?: () => PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  /** Connections open, idle among them, and the most the pool opens. */
  total: number;
  idle: number;
  max: number;
  /** Queries queued for a connection, none being free. */
  waiting: number;
}
