// HAL-FORMS templates as the explorer reads them, and how what a person entered becomes the request body:
// pure functions, with no DOM, so they are easy to reason about (and to test under Node).
import { JSON_TYPE, NDJSON } from '../http/media-types.ts';
import type { FormOptions, FormProperty, FormTemplate, InlineOption } from '../links/wire.ts';

export type { FormOptions, FormProperty, FormTemplate, InlineOption };

/** What the resource's JSON Schema adds to a form property: HAL-FORMS cannot say "a list" or "may be null". */
export interface FieldHint {
  array?: boolean;
  nullable?: boolean;
  /** The values the schema allows (an enum), when it names them. */
  choices?: string[];
}

/** A field as the form holds it: one string, or the chosen values of a multiple choice. */
export type Entered = string | string[];

export function methodOf(template: FormTemplate): string {
  return (template.method ?? 'POST').toUpperCase();
}

export function inlineOptions(options: FormOptions): InlineOption[] {
  return (options.inline ?? []).map((option) =>
    typeof option === 'string' ? { value: option, prompt: option } : option,
  );
}

/** A choice of several values (HAL-FORMS: no maxItems means no limit). */
export function allowsMany(property: FormProperty): boolean {
  const options = property.options;
  return options !== undefined && (options.maxItems === undefined || options.maxItems > 1);
}

/** The value a field starts with: the template's `value` or `selectedValues`. */
export function initialValue(property: FormProperty): Entered {
  const selected = property.options?.selectedValues ?? (property.value === undefined ? [] : [property.value]);
  if (property.options && allowsMany(property)) return selected;
  if (property.options) return selected[0] ?? '';
  return property.value ?? '';
}

function isList(property: FormProperty, hint: FieldHint): boolean {
  return hint.array === true || allowsMany(property);
}

/** The items of a list field: chosen values, or a comma-separated text. */
function items(entered: Entered): string[] {
  const list = Array.isArray(entered) ? entered : entered.split(',');
  return list.map((item) => item.trim()).filter((item) => item !== '');
}

function scalar(property: FormProperty, text: string): string | number {
  if (property.type === 'number' || property.type === 'range') {
    const number = Number(text);
    return text.trim() !== '' && Number.isFinite(number) ? number : text; // the server says what is wrong
  }
  return text;
}

function valueOf(property: FormProperty, hint: FieldHint, entered: Entered): unknown {
  if (isList(property, hint)) return items(entered).map((item) => scalar(property, item));
  const text = Array.isArray(entered) ? (entered[0] ?? '') : entered;
  return scalar(property, text);
}

function isEmpty(value: unknown): boolean {
  return value === '' || (Array.isArray(value) && value.length === 0);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The JSON body a template's form sends. A merge patch (PATCH) carries only what the person changed, a
 * cleared field as null where the schema allows it; other methods carry every filled field, and leave
 * empty ones out so the server applies its defaults. Read-only properties are never sent.
 */
export function requestBody(
  template: FormTemplate,
  entered: Record<string, Entered>,
  hints: Record<string, FieldHint> = {},
): Record<string, unknown> {
  const patch = methodOf(template) === 'PATCH';
  const body: Record<string, unknown> = {};
  for (const property of template.properties ?? []) {
    if (property.readOnly) continue;
    const hint = hints[property.name] ?? {};
    const value = valueOf(property, hint, entered[property.name] ?? initialValue(property));
    if (patch) {
      if (same(value, valueOf(property, hint, initialValue(property)))) continue;
      body[property.name] = isEmpty(value) && hint.nullable ? null : value;
    } else if (!isEmpty(value)) {
      body[property.name] = value;
    }
  }
  return body;
}

/** The field a problem's `errors` entry points at (`#/title`, `/title` or a parameter name), if any. */
export function fieldAtFault(error: { pointer?: string; parameter?: string }): string | undefined {
  if (error.pointer !== undefined)
    return error.pointer.replace(/^#?\//, '').split('/')[0]?.replace(/~1/g, '/').replace(/~0/g, '~') || undefined;
  return error.parameter;
}

/** The field whose text is the whole request body, when the template has one. */
export function bodyField(template: FormTemplate): FormProperty | undefined {
  return (template.properties ?? []).find(
    (property) => Array.isArray(property['x-body']) && property['x-body'].length > 0,
  );
}

const EXTENSIONS: Record<string, string> = { json: JSON_TYPE, ndjson: NDJSON, jsonl: NDJSON };

/**
 * Which of `types` a body is: by its file's extension when that names one, else by its content. A JSON array
 * (or any one JSON value) is JSON; several lines that are each JSON are NDJSON. Unclear text is sent as the
 * first type, and the server says what is wrong with it.
 */
export function bodyTypeOf(text: string, types: readonly string[], fileName?: string): string {
  const byName = EXTENSIONS[fileName?.split('.').pop()?.toLowerCase() ?? ''];
  if (byName && types.includes(byName)) return byName;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a body field lists one media type at least
  const first = types[0]!;
  const trimmed = text.trim();
  if (types.includes(NDJSON) && trimmed.startsWith('{')) {
    try {
      JSON.parse(trimmed);
      return first; // one object: the whole body is one JSON value
    } catch {
      return NDJSON;
    }
  }
  return first;
}

/** A size as people read it: 9.9 MB, 12 kB, 640 bytes. */
export function sizeOf(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} kB`;
  return `${bytes} bytes`;
}

const FORMATS: Record<string, string> = { email: 'an email address', uri: 'a URI', 'date-time': 'a date and time' };

/** A validator's message (the server's `detail` for a field) in words for people, without the field's name. */
export function plainRule(detail: string, property?: FormProperty): string {
  let match: RegExpExecArray | null;
  if ((match = /^must NOT have fewer than (\d+) characters?$/.exec(detail)))
    return match[1] === '1' ? 'must not be blank' : `must have at least ${match[1]} characters`;
  if ((match = /^must NOT have more than (\d+) characters?$/.exec(detail)))
    return `must have at most ${match[1]} characters`;
  if ((match = /^must NOT have more than (\d+) items?$/.exec(detail))) return `may have at most ${match[1]}`;
  if ((match = /^must match pattern "(.*)"$/.exec(detail)))
    return match[1]?.includes('\\S') ? 'must not be blank' : 'is not in the expected form';
  if ((match = /^must match format "(.*)"$/.exec(detail)))
    return `must be ${FORMATS[match[1] ?? ''] ?? `a valid ${match[1]}`}`;
  if ((match = /^must be (>=|<=|>|<) (-?[\d.]+)$/.exec(detail)))
    return `must be ${{ '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' }[match[1] ?? '']} ${match[2]}`;
  if (detail === 'must be integer') return 'must be a whole number';
  if (detail === 'must be equal to one of the allowed values') {
    const choices = property?.options
      ? inlineOptions(property.options).map((option) => option.prompt ?? option.value)
      : [];
    return choices.length > 0 ? `must be one of ${choices.join(', ')}` : 'must be one of the values offered';
  }
  return detail;
}

export interface FieldFault {
  /** The template property at fault, when the error names one of the form's fields. */
  property?: FormProperty;
  /** Where the error points, as the server said it. */
  at: string;
  /** One sentence for people: "Title must not be blank". */
  message: string;
}

/**
 * A problem's `errors` as messages for people, one per fault: the field's prompt and its rule. Two errors
 * that say the same to a person (an empty title is both too short and blank) are one fault.
 */
export function fieldFaults(
  errors: readonly { pointer?: string; parameter?: string; detail?: string }[],
  properties: readonly FormProperty[] = [],
): FieldFault[] {
  const faults: FieldFault[] = [];
  for (const error of errors) {
    const name = fieldAtFault(error);
    const property = properties.find((each) => each.name === name);
    const at = error.pointer ?? error.parameter ?? '';
    const subject = property?.prompt ?? (name ? name.charAt(0).toUpperCase() + name.slice(1) : 'The body');
    const message = `${subject} ${plainRule(error.detail ?? 'is not valid', property)}`;
    if (!faults.some((fault) => fault.at === at && fault.message === message))
      faults.push({ ...(property ? { property } : {}), at, message });
  }
  return faults;
}
