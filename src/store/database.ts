// Opens the database named by DATABASE_URL with its engine: file: is SQLite, postgres:// or postgresql:// is
// PostgreSQL. Either way the result is migrated and has the same Kysely schema.
import type { Synchronous } from '../config.ts';
import type { Engine, EngineName } from './engines/engine.ts';
import { openPostgresEngine } from './engines/postgres.ts';
import { openSqliteEngine } from './engines/sqlite.ts';
import type { QueryTimer } from './query-timing.ts';

export interface DatabaseOptions {
  url: string;
  /** SQLite only: PostgreSQL commits with synchronous_commit=on, always. */
  synchronous: Synchronous;
  /** Told how long each query took (for metrics); none by default. */
  timer?: QueryTimer;
}

export function engineOf(url: string): EngineName {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

export function openDatabase(options: DatabaseOptions): Promise<Engine> {
  return engineOf(options.url) === 'postgres'
    ? openPostgresEngine(options.url, options.timer)
    : openSqliteEngine(options.url, options.synchronous, options.timer);
}
