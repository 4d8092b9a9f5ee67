// Cuts an import body into its rows without parsing it whole: one JSON.parse of 10 MB holds the process for a
// sixth of a second (and for seconds when nested deep), and even decoding it into one string costs tens of
// milliseconds. So the body stays bytes, walked a slice at a time; each row is decoded and parsed on its own, only
// once it is known to be within the limits of a single ticket (a row past them is never decoded at all).
// The walk only needs JSON's structural characters, which are single bytes in UTF-8 and never part of another
// character's bytes.
import { invalid } from '../../http/problem.ts';
import type { Pause } from '../../time-slices.ts';

/** One row as sent: its bytes in the body (surrounding whitespace left out), how deep it nests if already known. */
export interface RowBytes {
  start: number;
  end: number;
  /** Levels of nesting (an object is 1), when the walk that found the row measured them. */
  depth?: number;
  /** 0-based: the index in the array, or the line number less one. */
  index: number;
}

// JSON's structural bytes, shared with the import form's reader (form-body.ts).
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Bytes walked between looks at the clock: a fraction of a millisecond's work. */
const STRIDE = 0x3fff;
/** A UTF-8 byte order mark, which a text decoder would drop: so is it here. */
const BOM = [0xef, 0xbb, 0xbf];

export const isSpace = (byte: number | undefined) =>
  byte === 0x20 || byte === 0x09 || byte === NEWLINE || byte === CARRIAGE_RETURN;
export const notJson = (why: string) => invalid(`The body is not valid JSON: ${why}.`);

/** The range [start, end) of `body` without JSON whitespace on either side (which may be megabytes long). */
async function trimmed(body: Uint8Array, start: number, end: number, pause: Pause): Promise<[number, number]> {
  for (; start < end && isSpace(body[start]); start += 1) if ((start & STRIDE) === 0) await pause();
  for (; end > start && isSpace(body[end - 1]); end -= 1) if ((end & STRIDE) === 0) await pause();
  return [start, end];
}

/** Where the body's text begins: past a byte order mark. */
export const textStart = (body: Uint8Array) => (BOM.every((byte, i) => body[i] === byte) ? BOM.length : 0);

/**
 * Levels of nesting of the JSON text in body[start, end) (containers; strings skipped). Only ever run on a row
 * within the size limit: a fraction of a millisecond.
 */
export function nesting(body: Uint8Array, start: number, end: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = start; i < end; i += 1) {
    const c = body[i];
    if (c === QUOTE) {
      for (i += 1; i < end && body[i] !== QUOTE; i += 1) if (body[i] === BACKSLASH) i += 1;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) deepest = Math.max(deepest, (depth += 1));
    else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth -= 1;
  }
  return deepest;
}

/**
 * The elements of a JSON array body. Only the structure between rows is checked here (brackets, and strings, so
 * that a comma inside a row never splits it); each row's own text is parsed later by JSON.parse, which finds any
 * other mistake. An array whose every element parses is valid JSON as a whole.
 */
export async function* arrayRows(body: Uint8Array, pause: Pause): AsyncGenerator<RowBytes> {
  const [open] = await trimmed(body, textStart(body), body.length, pause);
  if (body[open] !== OPEN_ARRAY)
    throw invalid('The body must be a JSON array of tickets.', [{ pointer: '#', detail: 'must be an array' }]);
  let depth = 0;
  let deepest = 0;
  let index = 0;
  let inString = false;
  // The row's first and last bytes that are not whitespace, noted on the way: no second pass over a long row.
  let first = -1;
  let last = -1;
  for (let i = open + 1; i < body.length; i += 1) {
    if ((i & STRIDE) === 0) await pause();
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < body.length (this loop is hot: no check it does not need)
    const c = body[i]!;
    if (!inString && isSpace(c)) continue;
    if (depth > 0 || inString || (c !== COMMA && c !== CLOSE_ARRAY && c !== CLOSE_OBJECT)) {
      if (first === -1) first = i;
      last = i;
    }
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) deepest = Math.max(deepest, (depth += 1));
    else if (depth > 0 && (c === CLOSE_ARRAY || c === CLOSE_OBJECT)) depth -= 1;
    else if (depth === 0 && (c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT)) {
      if (c === CLOSE_OBJECT) throw notJson(`a } closes the array at element ${index + 1}`);
      if (first === -1 && !(c === CLOSE_ARRAY && index === 0))
        throw notJson(`element ${index + 1} of the array is missing`);
      if (first !== -1) yield { start: first, end: last + 1, depth: deepest, index };
      if (c === CLOSE_ARRAY) {
        if ((await trimmed(body, i + 1, body.length, pause))[0] < body.length)
          throw notJson('text follows the closing ] of the array');
        return;
      }
      index += 1;
      first = -1;
      deepest = 0;
    }
  }
  throw notJson('it ends before the closing ] of the array');
}

/** The lines of an NDJSON body (a final newline is welcome); blank ones come as empty ranges. */
export async function* ndjsonRows(body: Uint8Array, pause: Pause): AsyncGenerator<RowBytes> {
  for (let start = textStart(body), index = 0; start < body.length; index += 1) {
    await pause();
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    const [from, to] = await trimmed(body, start, end, pause);
    yield { start: from, end: to, index };
    start = end + 1;
  }
}
