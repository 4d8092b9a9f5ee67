// The words SQLite's term list (tickets_terms, through helpdesk_words) and ranking read from text must be the
// words FTS5 itself indexes. ASCII text takes a shorter way than other text: checked here against FTS5, and
// against the full folding, for every ASCII character.
import test from 'ava';
import { indexedWords } from '../../src/store/text-search.ts';
import { fts5Words } from '../helpers/fts5.ts';

test('ASCII text gives the words FTS5 indexes, as the full folding gives them, whatever the character', (t) => {
  const texts: string[] = [];
  for (let code = 0; code < 0x80; code += 1) {
    const c = String.fromCharCode(code);
    texts.push(`Ab${c}CD${c}9${c}x${c}${c}Printer ON fire`);
  }
  const indexed = fts5Words(texts);
  texts.forEach((text, n) => {
    const words = indexedWords(text);
    t.deepEqual(words, indexed[n], `character ${n}`);
    // The same text with a non-ASCII word after it takes the full folding: the words before it are the same.
    t.deepEqual(indexedWords(`${text} \u00e9t\u00e9`).slice(0, -1), words, `character ${n}, folded in full`);
  });
});

test('text beyond ASCII is folded as FTS5 folds it', (t) => {
  const texts = ['Café crème, NAÏVE façade', 'Straße ﬁx', 'e\u0301x über-Ärger 42'];
  t.deepEqual(texts.map(indexedWords), fts5Words(texts));
});
