// The SQLite parts of the schema: AUTOINCREMENT keys, triggers written as SQL bodies, FTS5 tables.
import type { LiveCondition, MigrationDatabase, SchemaDialect } from './engine.ts';

/** Triggers that keep `counters` equal to the live rows per status (SQLite serialises writers: no locking order to mind). */
function counterTriggers(table: string, live: LiveCondition): string[] {
  const changed = `(NOT (${live('NEW')}) OR OLD.status IS NOT NEW.status)`;
  const arrived = `(NOT (${live('OLD')}) OR OLD.status IS NOT NEW.status)`;
  return [
    `CREATE TRIGGER ${table}_count_insert AFTER INSERT ON ${table} WHEN ${live('NEW')}
     BEGIN UPDATE counters SET value = value + 1 WHERE name = '${table}:' || NEW.status; END`,
    `CREATE TRIGGER ${table}_count_leave AFTER UPDATE ON ${table} WHEN ${live('OLD')} AND ${changed}
     BEGIN UPDATE counters SET value = value - 1 WHERE name = '${table}:' || OLD.status; END`,
    `CREATE TRIGGER ${table}_count_arrive AFTER UPDATE ON ${table} WHEN ${live('NEW')} AND ${arrived}
     BEGIN UPDATE counters SET value = value + 1 WHERE name = '${table}:' || NEW.status; END`,
  ];
}

/** An external-content FTS5 index over some columns of a table, kept in step by triggers. */
function searchIndex(table: string, columns: string[]): string[] {
  const cols = columns.join(', ');
  const values = (row: string) => columns.map((c) => `${row}.${c}`).join(', ');
  return [
    `CREATE VIRTUAL TABLE ${table}_fts USING fts5(${cols}, content='${table}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
    `CREATE TRIGGER ${table}_fts_insert AFTER INSERT ON ${table}
     BEGIN INSERT INTO ${table}_fts(rowid, ${cols}) VALUES (NEW.id, ${values('NEW')}); END`,
    `CREATE TRIGGER ${table}_fts_update AFTER UPDATE OF ${cols} ON ${table}
     BEGIN
       INSERT INTO ${table}_fts(${table}_fts, rowid, ${cols}) VALUES ('delete', OLD.id, ${values('OLD')});
       INSERT INTO ${table}_fts(rowid, ${cols}) VALUES (NEW.id, ${values('NEW')});
     END`,
  ];
}

/**
 * The words of a table's rows (never removed: a word no row holds any more only widens a search by a term that
 * matches nothing), filled from the FTS5 index's vocabulary and then kept by triggers through helpdesk_words,
 * which every connection that writes registers (registerSearchFunctions).
 */
function searchTerms(table: string, columns: string[]): string[] {
  const words = (row: string) =>
    `SELECT value FROM json_each(helpdesk_words(${columns.map((c) => `${row}.${c}`).join(', ')}))`;
  return [
    `CREATE TABLE ${table}_terms (term TEXT PRIMARY KEY) WITHOUT ROWID`,
    `CREATE VIRTUAL TABLE temp.${table}_vocabulary USING fts5vocab(main, ${table}_fts, row)`,
    `INSERT INTO ${table}_terms (term) SELECT term FROM temp.${table}_vocabulary`,
    `DROP TABLE temp.${table}_vocabulary`,
    `CREATE TRIGGER ${table}_terms_insert AFTER INSERT ON ${table}
     BEGIN INSERT OR IGNORE INTO ${table}_terms (term) ${words('NEW')}; END`,
    `CREATE TRIGGER ${table}_terms_update AFTER UPDATE OF ${columns.join(', ')} ON ${table}
     BEGIN INSERT OR IGNORE INTO ${table}_terms (term) ${words('NEW')}; END`,
  ];
}

/**
 * The triggers that keep each row's word list (and, through it, the table's words) as a row is written: `list`
 * is the statement that writes NEW's list (`verb`: INSERT, or INSERT OR REPLACE), calling helpdesk_words once.
 */
function wordListTriggers(table: string, columns: string[], list: (verb: string) => string): string[] {
  const terms = `INSERT OR IGNORE INTO ${table}_terms (term)
       SELECT value FROM json_each((SELECT words FROM ${table}_words WHERE id = NEW.id))`;
  return [
    `CREATE TRIGGER ${table}_words_insert AFTER INSERT ON ${table}
     BEGIN
       ${list('INSERT')};
       ${terms};
     END`,
    `CREATE TRIGGER ${table}_words_update AFTER UPDATE OF ${columns.join(', ')} ON ${table}
     BEGIN
       ${list('INSERT OR REPLACE')};
       ${terms};
     END`,
  ];
}

const rowWords = (columns: string[], row: string) => `helpdesk_words(${columns.map((c) => `${row}.${c}`).join(', ')})`;

/**
 * Each row's words as the JSON array helpdesk_words makes (migration 0009-search-word-lists), for searches whose
 * every word begins too many words for FTS5 to merge (src/store/engines/sqlite-search.ts): those check the newest
 * rows' lists one by one. Filled for the rows already there, then kept by the triggers that keep the term list,
 * which they replace: helpdesk_words runs once per write, and the terms are read back from the row's list.
 */
function searchWordLists(table: string, columns: string[]): string[] {
  return [
    `CREATE TABLE ${table}_words (id INTEGER PRIMARY KEY, words TEXT NOT NULL)`,
    `INSERT INTO ${table}_words (id, words) SELECT id, ${rowWords(columns, table)} FROM ${table}`,
    `DROP TRIGGER ${table}_terms_insert`,
    `DROP TRIGGER ${table}_terms_update`,
    ...wordListTriggers(
      table,
      columns,
      (verb) => `${verb} INTO ${table}_words (id, words) VALUES (NEW.id, ${rowWords(columns, 'NEW')})`,
    ),
  ];
}

/**
 * The first characters of each row's words, as bits (helpdesk_initials, migration 0010-search-word-initials):
 * the probe of the newest rows tests them before it reads a row's list, and most rows fail that test.
 */
function searchWordInitials(table: string, columns: string[]): string[] {
  return [
    `ALTER TABLE ${table}_words ADD COLUMN initials INTEGER NOT NULL DEFAULT 0`,
    `UPDATE ${table}_words SET initials = helpdesk_initials(words)`,
    `DROP TRIGGER ${table}_words_insert`,
    `DROP TRIGGER ${table}_words_update`,
    ...wordListTriggers(
      table,
      columns,
      (verb) => `${verb} INTO ${table}_words (id, words, initials)
         SELECT NEW.id, words, helpdesk_initials(words) FROM (SELECT ${rowWords(columns, 'NEW')} AS words)`,
    ),
  ];
}

function afterUpdate(name: string, table: string, when: string, action: string): string[] {
  return [`CREATE TRIGGER ${name} AFTER UPDATE ON ${table} FOR EACH ROW WHEN ${when} BEGIN ${action}; END`];
}

export const sqliteSchema: SchemaDialect = {
  identity: (column) => column.primaryKey().autoIncrement(),
  async createCounters(db: MigrationDatabase, names: string[]) {
    await db.schema
      .createTable('counters')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db
      .insertInto('counters')
      .values(names.map((name) => ({ name, value: 0 })))
      .execute();
  },
  counterTriggers,
  searchIndex,
  searchTerms,
  searchWordLists,
  searchWordInitials,
  afterUpdate,
  extras: () => [],
};
