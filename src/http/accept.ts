// Reads an Accept header (RFC 9110 §12.5.1) as a person's browser means it: which media type it prefers.
// Koa's `ctx.accepts` picks the first acceptable type in the server's order, which cannot tell a browser
// (`text/html` first, `*/*;q=0.8`) from curl (`*/*`): both accept everything.

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseRange(text: string): MediaRange | undefined {
  const [range = '', ...parameters] = text.split(';').map((part) => part.trim());
  const [type, subtype] = range.toLowerCase().split('/');
  if (!type || !subtype) return undefined;
  let q = 1;
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((part) => part.trim());
    if (name?.toLowerCase() === 'q') q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value ?? '') ? Number(value) : 0;
  }
  return { type, subtype, q };
}

export function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map(parseRange)
    .filter((range): range is MediaRange => range !== undefined);
}

/** How much the client wants `mediaType`: the q of the most specific range that matches it (0 when none does). */
export function qualityOf(ranges: readonly MediaRange[], mediaType: string): number {
  const [type, subtype] = mediaType.toLowerCase().split('/');
  let best = { specificity: -1, q: 0 };
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity === -1) continue;
    if (specificity > best.specificity || (specificity === best.specificity && range.q > best.q))
      best = { specificity, q: range.q };
  }
  return best.q;
}

/**
 * True when the client wants `preferred` strictly more than every one of `others`. Ties go to `others`, so a
 * client that accepts anything (`*\/*`, or no Accept at all) keeps the server's usual answer.
 */
export function prefers(header: string, preferred: string, others: readonly string[]): boolean {
  const ranges = parseAccept(header);
  const wanted = qualityOf(ranges, preferred);
  return wanted > 0 && others.every((other) => qualityOf(ranges, other) < wanted);
}
