// What a parsed JSON value may look like before any schema runs on it: at most MAX_JSON_DEPTH levels of
// nesting, and strings that are Unicode text without U+0000. One iterative walk checks it all, so that a hostile value nested
// hundreds of thousands deep is refused by name here, never a stack overflow (a 500) further on.
import type { FieldError } from './problem.ts';

/** No body of ours nests past a few levels (a ticket has 2); 32 leaves room for any honest client. */
export const MAX_JSON_DEPTH = 32;

/** A property name as one token of a JSON Pointer (RFC 6901: `~` and `/` escaped). */
export const pointerToken = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The first fault of `value` (as a JSON pointer from `#`, and what is wrong there), or undefined. Depth counts
 * containers: `{}` is 1, `{"a":[]}` is 2. A string with an unpaired surrogate is refused rather than stored as
 * U+FFFD; one with U+0000 since PostgreSQL text cannot hold it and no field of ours has a use for one: refused
 * on every engine alike, not stored on one and a 500 on the other.
 */
export function jsonShapeFault(value: unknown, maxDepth = MAX_JSON_DEPTH): FieldError | undefined {
  const pending: Place[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: item, depth } = next;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return { pointer: pointerOf(next), detail: NUL };
      // JSON may escape half a surrogate pair ("\ud800"); stored as UTF-8 it would silently become U+FFFD.
      if (!item.isWellFormed()) return { pointer: pointerOf(next), detail: LONE_SURROGATE };
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > maxDepth) return { pointer: pointerOf(next), detail: `nests deeper than ${maxDepth} levels` };
    // Pushed last to first, so that the first is checked first.
    for (const key of Object.keys(item).reverse()) {
      pending.push({ value: (item as Record<string, unknown>)[key], depth: depth + 1, parent: next, key });
    }
  }
  return undefined;
}

/**
 * A value on the walk, with the way to it: its pointer is spelt out only for a fault, since every body that
 * passes (every create) would otherwise build a string per value for nothing.
 */
interface Place {
  value: unknown;
  depth: number;
  parent?: Place;
  key?: string;
}

function pointerOf(place: Place): string {
  const tokens: string[] = [];
  for (let at: Place | undefined = place; at?.key !== undefined; at = at.parent) tokens.push(pointerToken(at.key));
  return ['#', ...tokens.reverse()].join('/');
}

const NUL = 'holds U+0000';
const LONE_SURROGATE = 'holds half a surrogate pair, which is not text';

/** The message a refusal carries for a fault found by jsonShapeFault. */
export function jsonShapeMessage(fault: FieldError): string {
  if (fault.detail === NUL) return 'Text may not contain the NUL character (U+0000).';
  if (fault.detail === LONE_SURROGATE)
    return `Text must be Unicode: ${fault.pointer} holds an unpaired surrogate (\\uD800 to \\uDFFF alone).`;
  return `JSON bodies may nest at most ${MAX_JSON_DEPTH} levels deep; look at ${fault.pointer}.`;
}
