// Which letters fold to a plain Latin letter in search, so that PostgreSQL folds text as SQLite's FTS5
// (unicode61, remove_diacritics 2) does: "Café" is found by "cafe" on both engines, and "ß" stays itself on both.

/** FTS5 strips diacritics from Latin letters only: these blocks (Latin-1 to Latin Extended-B, Latin Extended Additional). */
const LATIN: readonly [number, number][] = [
  [0x00c0, 0x024f],
  [0x1e00, 0x1eff],
];

/** Where FTS5's tables differ from the decomposition rule below (test/store/engines/postgres-fold.test.ts checks them all). */
const EXCEPTIONS: Record<string, string | null> = {
  '\u017f': 's', // ſ long s
  '\u1e9b': 's', // ẛ long s with dot above
  '\u212a': 'k', // K kelvin sign
  '\u212b': 'a', // Å angstrom sign
  '\u01e0': null, // Ǡ stays (lower-cased) as it is
  '\u01e1': null, // ǡ
};

/** Each letter that folds to another: its canonical decomposition is one a-z letter plus combining marks. */
function folds(): Map<string, string> {
  const map = new Map<string, string>();
  for (const [first, last] of LATIN) {
    for (let code = first; code <= last; code += 1) {
      const letter = String.fromCodePoint(code);
      const base = letter.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
      if (/^[a-z]$/.test(base)) map.set(letter, base);
    }
  }
  for (const [letter, base] of Object.entries(EXCEPTIONS)) {
    if (base === null) map.delete(letter);
    else map.set(letter, base);
  }
  return map;
}

export const LETTER_FOLDS: ReadonlyMap<string, string> = folds();

/** The two strings for SQL `translate(text, from, to)`. */
export const FOLD_FROM = [...LETTER_FOLDS.keys()].join('');
export const FOLD_TO = [...LETTER_FOLDS.values()].join('');

/**
 * The combining diacritics FTS5 drops from inside a word (its remove_diacritics table), so "e\u0301x" is the one
 * word "ex" on both engines; every other combining mark splits words in FTS5 (test/store/engines/postgres-fold.test.ts).
 */
const DROPPED: [number, number][] = [
  [0x0300, 0x0304],
  [0x0306, 0x030c],
  [0x030f, 0x030f],
  [0x0311, 0x0311],
  [0x031b, 0x031b],
  [0x0323, 0x0328],
  [0x032d, 0x032e],
  [0x0330, 0x0331],
];

/** Runs of code points that match `pattern` and lie in none of `except`. */
function ranges(pattern: RegExp, except: readonly [number, number][]): [number, number][] {
  const found: [number, number][] = [];
  for (let code = 0; code <= 0x10ffff; code += 1) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    if (!pattern.test(String.fromCodePoint(code)) || except.some(([a, b]) => code >= a && code <= b)) continue;
    const previous = found.at(-1);
    if (previous && previous[1] === code - 1) previous[1] = code;
    else found.push([code, code]);
  }
  return found;
}

const bracket = (runs: readonly [number, number][]) =>
  `[${runs.map(([a, b]) => (a === b ? String.fromCodePoint(a) : `${String.fromCodePoint(a)}-${String.fromCodePoint(b)}`)).join('')}]`;

/** A regular-expression class of the combining diacritics FTS5 removes from inside a word. */
export const DROPPED_MARKS = bracket(DROPPED);

/**
 * A class of every other combining mark. FTS5 (unicode61) splits words at them ("हिन्दी" is ह, न, द), while
 * PostgreSQL's [[:alnum:]] counts spacing marks as letters ("हिन", "दी"): folding them to spaces makes both agree.
 */
export const SEPARATING_MARKS = bracket(ranges(/\p{M}/u, DROPPED));

/** Whether FTS5 drops a combining mark from a word, rather than splitting the word there. */
export const isDroppedMark = (mark: string) => {
  const point = mark.codePointAt(0) ?? -1;
  return DROPPED.some(([a, b]) => point >= a && point <= b);
};
