// Opens the database named by DATABASE_URL, sets its durability explicitly and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Synchronous } from '../config.ts';
import { migrate } from './migrations.ts';
import type { Database } from './schema.ts';

export interface DatabaseOptions {
  url: string;
  synchronous: Synchronous;
}

export function sqlitePath(url: string): string {
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
  return database;
}

export async function openDatabase(options: DatabaseOptions): Promise<Kysely<Database>> {
  const sqlite = openSqlite(sqlitePath(options.url), options.synchronous);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return db;
}

/**
 * Rate-limit counters live in a file of their own beside the data: they are written on every request, need no
 * durability (synchronous OFF), and must never wait on, or block, a write transaction of the main database.
 */
export function openLimitsDatabase(options: DatabaseOptions): SQLite.Database {
  return openSqlite(sqlitePath(options.url).replace(/(\.db)?$/, '.limits.db'), 'OFF');
}
