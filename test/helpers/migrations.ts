// A database as an earlier release left it: migrated only so far, for tests of what a later migration does to it.
import { writeFileSync } from 'node:fs';
import { type Kysely, type MigrationProvider, Migrator } from 'kysely';
import { postgresSchema } from '../../src/store/engines/postgres-schema.ts';
import { sqliteSchema } from '../../src/store/engines/sqlite-schema.ts';
import { migrations } from '../../src/store/migrations.ts';
import type { Database } from '../../src/store/schema.ts';
import { testEngine } from './database.ts';

/** Brings a database's schema to the migration named `last`, as an instance of that release left it. */
export async function migrateTo(db: Kysely<Database>, last: string): Promise<void> {
  const all = migrations(testEngine === 'postgres' ? postgresSchema : sqliteSchema);
  const provider: MigrationProvider = {
    getMigrations: async () => Object.fromEntries(Object.entries(all).filter(([name]) => name <= last)),
  };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error('a migration failed', { cause: error });
}

/** An empty file is an empty SQLite database, which the test connection (it opens only files that exist) may open. */
export function touchSqliteFile(url: string): void {
  if (testEngine === 'sqlite') writeFileSync(url.slice('file:'.length), '');
}
