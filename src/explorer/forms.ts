// HAL-FORMS templates as the explorer reads them, and how what a person entered becomes the request body:
// pure functions, with no DOM, so they are easy to reason about (and to test under Node).
import type { Link } from './hal.ts';

export interface InlineOption {
  prompt?: string;
  value: string;
}

export interface FormOptions {
  inline?: (string | InlineOption)[];
  link?: Link;
  promptField?: string;
  valueField?: string;
  minItems?: number;
  maxItems?: number;
  selectedValues?: string[];
}

export interface FormProperty {
  name: string;
  prompt?: string;
  type?: string;
  required?: boolean;
  readOnly?: boolean;
  regex?: string;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  value?: string;
  options?: FormOptions;
}

export interface FormTemplate {
  title?: string;
  method?: string;
  contentType?: string;
  target?: string;
  properties?: FormProperty[];
}

/** What the resource's JSON Schema adds to a form property: HAL-FORMS cannot say "a list" or "may be null". */
export interface FieldHint {
  array?: boolean;
  nullable?: boolean;
}

/** A field as the form holds it: one string, or the chosen values of a multiple choice. */
export type Entered = string | string[];

export function methodOf(template: FormTemplate): string {
  return (template.method ?? 'POST').toUpperCase();
}

export function inlineOptions(options: FormOptions): InlineOption[] {
  return (options.inline ?? []).map((option) => (typeof option === 'string' ? { value: option, prompt: option } : option));
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
  if (error.pointer !== undefined) return error.pointer.replace(/^#?\//, '').split('/')[0]?.replace(/~1/g, '/').replace(/~0/g, '~') || undefined;
  return error.parameter;
}
