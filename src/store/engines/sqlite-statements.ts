// Statements compiled once per connection, for every SQLite connection of ours (the main one, the search thread's).
import type SQLite from 'better-sqlite3';

/** How many distinct SQL texts keep their compiled statement (ours are parameterised: a few dozen in all). */
const CACHED_STATEMENTS = 500;

/**
 * Kysely's SQLite driver prepares (compiles) every query anew, which cost a GET a tenth of its time. A
 * better-sqlite3 statement can be run again with new parameters, so the most recently used ones are kept, by
 * their SQL text. (Kysely runs each statement to completion before the next, so none is ever busy when reused.)
 */
export function reusingStatements(database: SQLite.Database): SQLite.Database {
  const prepare = database.prepare.bind(database);
  const statements = new Map<string, SQLite.Statement>();
  database.prepare = ((source: string) => {
    let statement = statements.get(source);
    if (statement) statements.delete(source);
    else statement = prepare(source);
    statements.set(source, statement);
    if (statements.size > CACHED_STATEMENTS) {
      const oldest = statements.keys().next();
      if (!oldest.done) statements.delete(oldest.value);
    }
    return statement;
  }) as SQLite.Database['prepare'];
  return database;
}
