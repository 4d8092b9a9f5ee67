// PostgreSQL search folds letters with a table derived from Unicode decompositions; it must fold exactly the
// letters SQLite's FTS5 (unicode61, remove_diacritics 2) folds to a plain a-z letter, or the engines would find
// different rows. Checked against FTS5 itself, for every letter of the Basic Multilingual Plane.
import test from 'ava';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { LETTER_FOLDS, isDroppedMark } from '../../../src/store/engines/postgres-fold.ts';
import { openStore } from '../../../src/store/index.ts';
import { createTestDatabase, testEngine } from '../../helpers/database.ts';
import { fts5Words } from '../../helpers/fts5.ts';

/** How FTS5 folds each letter: index "x<letter>x" per row and read the one term back. */
function fts5Folds(letters: string[]): Map<string, string> {
  const db = new SQLite(':memory:');
  try {
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2');
             CREATE VIRTUAL TABLE terms USING fts5vocab(t, instance);`);
    const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
    db.transaction(() => letters.forEach((letter, n) => insert.run(n + 1, `x${letter}x`)))();
    const rows = db.prepare('SELECT doc, term FROM terms').all() as { doc: number; term: string }[];
    return new Map(rows.map(({ doc, term }) => [letters[doc - 1]!, term.slice(1, -1)]));
  } finally {
    db.close();
  }
}

test('PostgreSQL folds to a plain Latin letter exactly the letters FTS5 folds so, and alike', (t) => {
  const letters: string[] = [];
  for (let code = 0x80; code <= 0xffff; code += 1) {
    const letter = String.fromCodePoint(code);
    if (/^\p{L}$/u.test(letter)) letters.push(letter);
  }
  const fts5 = fts5Folds(letters);
  const plain = /^[a-z]$/;
  const foldedByFts5 = letters.filter((letter) => plain.test(fts5.get(letter) ?? ''));
  t.true(foldedByFts5.length > 400, 'the comparison covers the Latin letters with diacritics');
  t.deepEqual([...LETTER_FOLDS.keys()].sort(), foldedByFts5.sort());
  for (const letter of foldedByFts5) t.is(LETTER_FOLDS.get(letter), fts5.get(letter), letter);
});

/**
 * "ab<mark>cd" for every combining mark FTS5 knows (Unicode 6.1): it drops the mark or splits the word there.
 * Marks added to Unicode since, FTS5 keeps inside words; they are left out here and in the fold alike.
 */
const MARKED = (() => {
  const marks: string[] = [];
  for (let code = 0; code <= 0xffff; code += 1) {
    if (code < 0xd800 || code > 0xdfff)
      if (/^\p{M}$/u.test(String.fromCodePoint(code))) marks.push(String.fromCodePoint(code));
  }
  const texts = marks.map((mark) => `ab${mark}cd`);
  const words = fts5Words(texts);
  return marks
    .map((mark, n) => ({ mark, text: texts[n]!, words: words[n]! }))
    .filter(({ words }) => words.length === 2 || words[0] === 'abcd');
})();

test('every combining mark is either dropped from a word or a word break, exactly as FTS5 treats it', (t) => {
  t.true(MARKED.length > 1000, 'the comparison covers the combining marks');
  for (const { mark, words } of MARKED)
    t.deepEqual(words, isDroppedMark(mark) ? ['abcd'] : ['ab', 'cd'], `U+${mark.codePointAt(0)!.toString(16)}`);
});

/** Every letter the table folds, with upper and lower case of plain words around it. */
const SAMPLE = [...LETTER_FOLDS.keys()].map((letter) => `Ab${letter}Cd`);

if (testEngine === 'postgres') {
  test('the database folds text with that table, after lower-casing', async (t) => {
    const database = await createTestDatabase();
    const store = await openStore({ url: database.url, synchronous: 'FULL' });
    try {
      const { rows } = await sql<{
        folded: string[];
      }>`SELECT array_agg(helpdesk_fold(word) ORDER BY n) AS folded FROM unnest(${SAMPLE}::text[]) WITH ORDINALITY AS w (word, n)`.execute(
        store.db,
      );
      t.deepEqual(
        rows[0]!.folded,
        SAMPLE.map((word) => `ab${LETTER_FOLDS.get(word.slice(2, -2))}cd`),
      );
    } finally {
      await store.close();
      await database.drop();
    }
  });

  test('the database splits words at combining marks, and drops diacritics, as FTS5 does', async (t) => {
    const database = await createTestDatabase();
    const store = await openStore({ url: database.url, synchronous: 'FULL' });
    try {
      const texts = [...MARKED.map(({ text }) => text), 'हिन्दी', 'e\u0301x', 'Ünïcödé'];
      const expected = fts5Words(texts);
      const { rows } = await sql<{ words: string[] }>`
        SELECT (SELECT coalesce(array_agg(lexeme ORDER BY positions[1]), '{}') FROM unnest(helpdesk_search_document(text))) AS words
        FROM unnest(${texts}::text[]) WITH ORDINALITY AS t (text, n) ORDER BY n`.execute(store.db);
      texts.forEach((text, n) => t.deepEqual(rows[n]!.words, expected[n], text));
    } finally {
      await store.close();
      await database.drop();
    }
  });
} else {
  test('the database indexes text with FTS5 unicode61 remove_diacritics 2, the reference the table follows', async (t) => {
    const database = await createTestDatabase();
    const store = await openStore({ url: database.url, synchronous: 'FULL' });
    try {
      const { rows } = await sql<{
        sql: string;
      }>`SELECT sql FROM sqlite_master WHERE name IN ('tickets_fts', 'faqs_fts') ORDER BY name`.execute(store.db);
      t.is(rows.length, 2);
      for (const { sql: ddl } of rows) t.true(ddl.includes("tokenize='unicode61 remove_diacritics 2'"), ddl);
    } finally {
      await store.close();
      await database.drop();
    }
  });
}
