// Patterns and formats run only on strings within their field's length. A regular expression is synchronous
// work the request deadline cannot interrupt, and ajv (with allErrors) goes on to `pattern` and `format` after
// `maxLength` has failed: so the validator is compiled from a copy of each schema in which every pattern and
// format sits under `if: { maxLength }`. The copy accepts exactly what the schema says; a string too long is
// reported once, by its length, and no regular expression ever sees it.
import type { FormatName } from 'ajv-formats';

/**
 * The formats a body may be checked against, as ajv-formats (full mode) defines them. Each one's regular
 * expressions are proven free of catastrophic backtracking by test/security/patterns.test.ts. `uri` is left out
 * on purpose: no body is checked against it, and its RFC 3986 expression is too large for that proof.
 */
export const FORMATS: readonly FormatName[] = ['email', 'date-time'];

type Schema = Record<string, unknown>;

/** Keywords whose value is a map of subschemas, a list of them, or one of them (draft-07 and 2019-09 alike). */
const MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];
const LISTS = ['anyOf', 'allOf', 'oneOf', 'prefixItems'];
const SINGLES = [
  'items',
  'additionalItems',
  'additionalProperties',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
];

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function mapSubschemas(schema: Schema, at: string): Schema {
  const copy: Schema = { ...schema };
  for (const key of MAPS) {
    const map = copy[key];
    if (isSchema(map))
      copy[key] = Object.fromEntries(
        Object.entries(map).map(([name, sub]) => [name, lengthFirst(sub, `${at}/${key}/${name}`)]),
      );
  }
  for (const key of [...LISTS, ...SINGLES]) {
    const value = copy[key];
    if (Array.isArray(value)) copy[key] = value.map((sub, i) => lengthFirst(sub, `${at}/${key}/${i}`));
    else if (value !== undefined) copy[key] = lengthFirst(value, `${at}/${key}`);
  }
  return copy;
}

/**
 * The schema with every `pattern` and `format` moved under `if: { maxLength }` of its own subschema. Throws for a
 * pattern or format without a `maxLength` beside it, and for a format not in FORMATS: such a schema would let a
 * regular expression meet a string of any length, and is a mistake to find at the first request, not in production.
 */
export function lengthFirst(schema: unknown, at = '#'): unknown {
  if (!isSchema(schema)) return schema;
  const copy = mapSubschemas(schema, at);
  const { pattern, format, maxLength, ...rest } = copy;
  if (pattern === undefined && format === undefined) return copy;
  if (typeof maxLength !== 'number')
    throw new Error(`${at}: a pattern or format needs a maxLength beside it, so that it never runs on a longer string`);
  if (format !== undefined && !FORMATS.includes(format as FormatName))
    throw new Error(`${at}: format ${JSON.stringify(format)} is not one of ${FORMATS.join(', ')}`);
  const then = { ...(pattern === undefined ? {} : { pattern }), ...(format === undefined ? {} : { format }) };
  const allOf: unknown[] = Array.isArray(rest.allOf) ? (rest.allOf as unknown[]) : [];
  return { ...rest, maxLength, allOf: [...allOf, { if: { maxLength }, then }] };
}
