// Text built to make a careless parser or pattern work hard (issue 11): long runs of one character ending in
// the one that spoils a match, near-miss emails and URIs, heavy unicode, deep brackets. Each shape is grown to
// a byte budget (what fits in a body or a URL) so the worst case is always reachable. Shared by the property
// test (test/security/abuse.test.ts) and `npm run bench -- abuse`.
import fc from 'fast-check';

/** One family of hostile text: `build(n)` grows with n, roughly linearly. */
export interface Shape {
  name: string;
  build(n: number): string;
}

const shape = (name: string, build: (n: number) => string): Shape => ({ name, build });

/** Every family, each known to hurt some kind of backtracking pattern or format check. */
export const SHAPES: readonly Shape[] = [
  shape('spaces then ","', (n) => `${' '.repeat(n)},`),
  shape('spaces then "x"', (n) => `${' '.repeat(n)}x`),
  shape('spaces, a word, spaces, ","', (n) => `${' '.repeat(n)}a${' '.repeat(n)},`),
  shape('tabs and newlines then "!"', (n) => `${'\t\n'.repeat(n)}!`),
  shape('no-break spaces then ","', (n) => `${'\u00a0'.repeat(n)},`),
  shape('", " repeated', (n) => ', '.repeat(n)),
  shape('" , ," repeated', (n) => ' , ,'.repeat(n)),
  shape('"a, " repeated past 20 tags, then ","', (n) => `${'a, '.repeat(n)},`),
  shape('"a@" + "a." repeated', (n) => `a@${'a.'.repeat(n)}`),
  shape('"a@" + "a-" repeated + "!"', (n) => `a@${'a-'.repeat(n)}!`),
  shape('"a" repeated + "@"', (n) => `${'a'.repeat(n)}@`),
  shape('"a." repeated + "@a"', (n) => `${'a.'.repeat(n)}@a`),
  shape('"@" repeated', (n) => '@'.repeat(n)),
  shape('"http://" + "a." repeated + "/"', (n) => `http://${'a.'.repeat(n)}/`),
  shape('"http://a/" + "/" repeated + "?"', (n) => `http://a/${'/'.repeat(n)}?`),
  shape('"http:" + "//a" repeated', (n) => `http:${'//a'.repeat(n)}`),
  shape('"/tickets/" + "1/" repeated', (n) => `/tickets/${'1/'.repeat(n)}`),
  shape('"a:" + "%" repeated', (n) => `a:${'%'.repeat(n)}`),
  shape('emoji repeated', (n) => '\u{1f600}'.repeat(n)),
  shape('"e" + combining accents', (n) => `e${'\u0301'.repeat(n)}`),
  shape('line separators then ","', (n) => `${'\u2028'.repeat(n)},`),
  shape('lone surrogates', (n) => '\ud800'.repeat(n)),
  shape('"[" nested then "]"', (n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  shape('"(" nested, unclosed', (n) => '('.repeat(n)),
  shape('"{" nested then "}"', (n) => `${'{'.repeat(n)}${'}'.repeat(n)}`),
];

/** The largest n whose text still measures at most `budget` (size is close to linear in n for every shape). */
export function largestFitting(s: Shape, budget: number, size: (text: string) => number): number {
  const one = size(s.build(1));
  const step = size(s.build(2)) - one;
  let n = Math.max(1, Math.floor((budget - one) / step) + 1);
  while (n > 1 && size(s.build(n)) > budget) n -= 1;
  return n;
}

/** Bytes a string takes inside a JSON body (escapes and UTF-8 included). */
export const jsonBytes = (text: string) => Buffer.byteLength(JSON.stringify(text));
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A text as a query value: percent-encoded, lone surrogates (which a URL cannot carry) as U+FFFD. */
export const queryValue = (text: string) => encodeURIComponent(text.replace(LONE_SURROGATE, '\ufffd'));
/** Characters a string takes as a query value. */
export const queryBytes = (text: string) => queryValue(text).length;

export interface Hostile {
  shape: string;
  /** How many times the shape's unit was repeated. */
  n: number;
  text: string;
}

/**
 * Hostile text up to `budget` as `size` measures it: any shape, at its largest size half the time (the worst
 * case for a linear scan is also the worst for backtracking), else at a random size.
 */
export function hostileText(budget: number, size: (text: string) => number): fc.Arbitrary<Hostile> {
  return fc
    .record({
      s: fc.constantFrom(...SHAPES),
      fraction: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    })
    .map(({ s, fraction }) => {
      const n = Math.max(1, Math.round(largestFitting(s, budget, size) * fraction));
      return { shape: s.name, n, text: s.build(n) };
    });
}

/** A hostile text described for a failure message: its shape, its size, and how it starts. */
export function describe(hostile: Hostile): string {
  const head = JSON.stringify(hostile.text.slice(0, 24));
  return `${hostile.shape}, n=${hostile.n} (${hostile.text.length} UTF-16 units, starts ${head})`;
}
