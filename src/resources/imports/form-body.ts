// The imports form as generic HAL-FORMS clients send it. HAL-FORMS builds a body as an object of the form's
// properties, so HAL Explorer and Ketting, which ignore our `x-body` extension, send the form's one text area as
// `{"tickets": "<the text>"}`. That object is taken as the body its text holds (a JSON array, or NDJSON), and
// its rows then go through the same splitting and limits as a body sent bare (body.ts).
// The object is walked as bytes, like a bare body (split.ts), never parsed whole: its one string may be nearly
// 10 MB of escaped text, and anything else in it (a second property, a deep value) is refused before any parse.
import { pointerToken } from '../../http/json-shape.ts';
import { type FieldError, Problem, invalid } from '../../http/problem.ts';
import type { Pause } from '../../time-slices.ts';
import {
  BACKSLASH,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
  isSpace,
  notJson,
  textStart,
} from './split.ts';

/** The form's one property (representation.ts). */
const FORM_PROPERTY = 'tickets';
const POINTER = `#/${FORM_PROPERTY}`;

const LETTER_U = 0x75;
/** Bytes of escaped text decoded in one step: a fraction of a millisecond's work. */
const CHUNK = 0x10000;

const formFault = (detail: string, pointer = POINTER) =>
  invalid(`The import form's ${FORM_PROPERTY} ${detail}`, [{ pointer, detail }]);

/** Whether the body is a JSON object (the form) rather than an array of rows: its first character is `{`. */
export function isFormObject(body: Uint8Array): boolean {
  return body[skipSpace(body, textStart(body))] === OPEN_OBJECT;
}

/** Where the string starting at the quote `open` ends (the index of its closing quote), walked with pauses. */
async function stringEnd(body: Uint8Array, open: number, pause: Pause): Promise<number> {
  for (let i = open + 1; i < body.length; i += 1) {
    if ((i & (CHUNK - 1)) === 0) await pause();
    if (body[i] === BACKSLASH) i += 1;
    else if (body[i] === QUOTE) return i;
  }
  throw notJson('a string is not closed');
}

/**
 * The bytes of the JSON string body[open..close] once unescaped (as UTF-8). Decoded a chunk at a time: each
 * chunk is cut at an ASCII byte that starts neither an escape nor the second half of one, so no escape, no
 * surrogate pair (two escapes in a row) and no multi-byte character is ever split. JSON.parse checks each chunk.
 */
async function unescaped(body: Buffer, open: number, close: number, pause: Pause): Promise<Buffer> {
  const parts: Buffer[] = [];
  let from = open + 1;
  for (let i = from; i < close; i += 1) {
    if (body[i] === BACKSLASH) {
      i += body[i + 1] === LETTER_U ? 5 : 1;
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < close, inside the buffer
    if (i - from >= CHUNK && body[i]! < 0x80) {
      parts.push(Buffer.from(JSON.parse(`"${body.toString('utf8', from, i)}"`) as string));
      from = i;
      await pause();
    }
  }
  parts.push(Buffer.from(JSON.parse(`"${body.toString('utf8', from, close)}"`) as string));
  return Buffer.concat(parts);
}

/** The first index at or past `i` that is not JSON whitespace (what lies between an object's tokens is short). */
function skipSpace(body: Uint8Array, i: number): number {
  while (isSpace(body[i])) i += 1;
  return i;
}

/** A property name (short, or it is not one of ours) decoded for a message. */
function nameAt(body: Buffer, open: number, close: number): string {
  if (close - open > 200) return `${body.toString('utf8', open + 1, open + 60)}…`;
  try {
    return JSON.parse(body.toString('utf8', open, close + 1)) as string;
  } catch {
    throw notJson('a property name is not a valid string');
  }
}

const pointerTo = (name: string) => `#/${pointerToken(name)}`;

export interface FormText {
  /** The text area's content, as UTF-8 bytes. */
  text: Buffer;
  kind: 'array' | 'ndjson';
}

/**
 * The text of an imports form object `{"tickets": "<text>"}` and which kind of body it is (a JSON array when
 * its first character is `[`, NDJSON otherwise), or a 400 naming #/tickets: no such property, or not a string,
 * or another property beside it.
 */
export async function formText(body: Buffer, pause: Pause): Promise<FormText> {
  let i = skipSpace(body, textStart(body) + 1);
  if (body[i] === CLOSE_OBJECT) throw formFault('is required: a JSON array or NDJSON text of tickets.');
  if (body[i] !== QUOTE) throw notJson('a property name must be a string');
  const nameClose = await stringEnd(body, i, pause);
  const name = nameAt(body, i, nameClose);
  // Most likely a single ticket sent alone: say what the body may be.
  if (name !== FORM_PROPERTY) {
    throw invalid(
      `The body must be a JSON array of tickets, or the import form's object {"${FORM_PROPERTY}": "<a JSON array or NDJSON text>"}; ${JSON.stringify(name)} is not its field.`,
      [{ pointer: '#', detail: `must be an array, or an object with only ${FORM_PROPERTY}` }],
    );
  }
  i = skipSpace(body, nameClose + 1);
  if (body[i] !== COLON) throw notJson(`a : must follow "${FORM_PROPERTY}"`);
  i = skipSpace(body, i + 1);
  if (body[i] !== QUOTE)
    throw formFault('must be a string: the tickets as a JSON array, or NDJSON (one ticket per line).');
  const close = await stringEnd(body, i, pause);
  const text = await unescaped(body, i, close, pause).catch((error: unknown) => {
    throw notJson(`the ${FORM_PROPERTY} string is not valid (${(error as Error).message})`);
  });
  i = skipSpace(body, close + 1);
  if (body[i] === COMMA) {
    const next = skipSpace(body, i + 1);
    const other = body[next] === QUOTE ? nameAt(body, next, await stringEnd(body, next, pause)) : '';
    throw formFault(
      `is the import form's only property: ${JSON.stringify(other)} is not one of its fields.`,
      pointerTo(other),
    );
  }
  if (body[i] !== CLOSE_OBJECT) throw notJson(`a } must close the object after "${FORM_PROPERTY}"`);
  if (skipSpace(body, i + 1) < body.length) throw notJson('text follows the closing } of the object');
  return { text, kind: text[skipSpace(text, 0)] === OPEN_ARRAY ? 'array' : 'ndjson' };
}

/**
 * A problem with the rows of the form's text, pointed at the text area: a row's own pointer (#/3) means nothing
 * in the object the client sent, so every fault names #/tickets and keeps its detail (which says the row).
 */
export function asFormProblem(error: unknown): unknown {
  if (!(error instanceof Problem) || error.kind !== 'invalid-request') return error;
  const errors: FieldError[] = (error.extras.errors ?? [{ detail: error.detail }]).map(({ detail }) => ({
    pointer: POINTER,
    detail,
  }));
  return invalid(`In the import form's ${FORM_PROPERTY}: ${error.detail}`, errors);
}
