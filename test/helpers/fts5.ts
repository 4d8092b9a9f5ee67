// What FTS5 itself makes of text, for tests that hold our own word splitting and folding to it.
import SQLite from 'better-sqlite3';

/** The terms FTS5 (unicode61, diacritics removed, as the schema's indexes) makes of each text, in order. */
export function fts5Words(texts: string[]): string[][] {
  const db = new SQLite(':memory:');
  try {
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2');
             CREATE VIRTUAL TABLE terms USING fts5vocab(t, instance);`);
    const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
    db.transaction(() => texts.forEach((text, n) => insert.run(n + 1, text)))();
    const rows = db.prepare('SELECT doc, term FROM terms ORDER BY doc, offset').all() as {
      doc: number;
      term: string;
    }[];
    return texts.map((_, n) => rows.filter((row) => row.doc === n + 1).map((row) => row.term));
  } finally {
    db.close();
  }
}
