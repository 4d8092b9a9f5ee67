// Cuts an import body into the texts of its rows without parsing it whole: one JSON.parse of 10 MB holds the
// process for a sixth of a second (and for seconds when nested deep), so the body is walked a slice at a time,
// and each row's text is parsed on its own, only once it is known to be within the limits of a single ticket.
import { invalid } from '../../http/problem.ts';
import type { Pause } from '../../time-slices.ts';

/** One row as sent: its JSON text, how deep it nests if already known (an object is 1), and its place. */
export interface RowText {
  text: string;
  depth?: number;
  /** 0-based index in the array, or line number - 1 in NDJSON. */
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const CARRIAGE_RETURN = 0x0d;
/** Characters walked between looks at the clock: a fraction of a millisecond's work. */
const STRIDE = 0x3fff;

const notJson = (why: string) => invalid(`The body is not valid JSON: ${why}.`);
const firstNonSpace = (text: string, from: number) => text.slice(from).search(/\S/);

/**
 * Levels of nesting of `text` (containers, strings skipped). A row is at most 100 kB when this runs on it:
 * a fraction of a millisecond.
 */
export function nesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i += 1; i < text.length && text.charCodeAt(i) !== QUOTE; i += 1) if (text.charCodeAt(i) === BACKSLASH) i += 1;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) deepest = Math.max(deepest, (depth += 1));
    else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth -= 1;
  }
  return deepest;
}

/**
 * The elements of a JSON array body, as texts. Only the structure between rows is checked here (brackets and
 * strings, so that a comma inside a row never splits it); each row's own text is parsed later by JSON.parse,
 * which finds any other mistake. An array whose every element parses is valid JSON as a whole.
 */
export async function* arrayRows(body: string, pause: Pause): AsyncGenerator<RowText> {
  const open = firstNonSpace(body, 0);
  if (open === -1 || body.charCodeAt(open) !== OPEN_ARRAY) {
    throw invalid('The body must be a JSON array of tickets.', [{ pointer: '#', detail: 'must be an array' }]);
  }
  let depth = 0;
  let deepest = 0;
  let start = open + 1;
  let index = 0;
  let inString = false;
  for (let i = start; i < body.length; i += 1) {
    if ((i & STRIDE) === 0) await pause();
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) deepest = Math.max(deepest, (depth += 1));
    else if (depth > 0 && (c === CLOSE_ARRAY || c === CLOSE_OBJECT)) depth -= 1;
    else if (depth === 0 && (c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT)) {
      const text = body.slice(start, i).trim();
      if (c === CLOSE_OBJECT) throw notJson(`a } closes the array at element ${index + 1}`);
      if (text === '' && !(c === CLOSE_ARRAY && index === 0)) throw notJson(`element ${index + 1} of the array is missing`);
      if (text !== '') yield { text, depth: deepest, index };
      if (c === CLOSE_ARRAY) {
        if (firstNonSpace(body, i + 1) !== -1) throw notJson('text follows the closing ] of the array');
        return;
      }
      index += 1;
      start = i + 1;
      deepest = 0;
    }
  }
  throw notJson('it ends before the closing ] of the array');
}

/** The lines of an NDJSON body (a final newline is welcome); their depth is measured only for those within the limits. */
export async function* ndjsonRows(body: string, pause: Pause): AsyncGenerator<RowText> {
  for (let start = 0, index = 0; start < body.length; index += 1) {
    await pause();
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    const next = end + 1;
    if (end > start && body.charCodeAt(end - 1) === CARRIAGE_RETURN) end -= 1;
    yield { text: body.slice(start, end), index };
    start = next;
  }
}
