// HAL-FORMS templates made from the same JSON Schemas that validate request bodies, so a form promises
// exactly what the server accepts: names, required, lengths, patterns and choices all come from the schema.
import type { TObject, TSchema } from '@sinclair/typebox';
import { HAL_JSON, JSON_TYPE } from '../http/media-types.ts';
import type { WireLink } from './hal.ts';
import {
  type InlineOption,
  isTemplate,
  type FormOptions as WireOptions,
  type FormProperty as WireProperty,
  type FormTemplate as WireTemplate,
} from './wire.ts';

// What this server promises beyond HAL-FORMS (src/links/wire.ts): every template has a title, a method and its
// properties, every property and choice a prompt, and an options link is `templated` exactly when it is one.

interface FormOptions extends WireOptions {
  inline?: Required<InlineOption>[];
  link?: WireLink;
}

export interface FormProperty extends WireProperty {
  prompt: string;
  options?: FormOptions;
}

export interface FormTemplate extends WireTemplate {
  title: string;
  method: string;
  properties: FormProperty[];
}

/** Where a field's choices live, when they are other resources rather than fixed values (a schema annotation). */
interface ChoicesFromCollection {
  href: string;
  promptField: string;
  valueField: string;
}

/** The schema keyword that names a field's collection of choices. */
export const CHOICES_KEYWORD = 'x-choices';

interface JsonSchema {
  type?: string;
  title?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maxItems?: number;
  enum?: string[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  readOnly?: boolean;
  [CHOICES_KEYWORD]?: ChoicesFromCollection;
}

function promptOf(name: string, schema: JsonSchema): string {
  return schema.title ?? name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The alternative a form field stands for: not null (`string | null` is a plain string field), and a string
 * where there is one, since that is what a form field holds (tags as "a, b" rather than a list).
 */
function concrete(schema: JsonSchema): JsonSchema {
  const alternatives = schema.anyOf?.filter((s) => s.type !== 'null') ?? [];
  const chosen = alternatives.find((s) => s.type === 'string') ?? alternatives[0];
  return chosen ? { ...chosen, ...schema, anyOf: undefined } : schema;
}

function inputType(schema: JsonSchema): string {
  if (schema.format === 'email') return 'email';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if ((schema.maxLength ?? 0) > 500) return 'textarea';
  return 'text';
}

function toValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // A field's current value is a scalar; an object (none so far) would be shown as its JSON, not "[object Object]".
  return JSON.stringify(value);
}

function property(name: string, raw: JsonSchema, required: boolean, current: unknown): FormProperty {
  const schema = concrete(raw);
  const field: FormProperty = { name, prompt: promptOf(name, raw), required, type: inputType(schema) };
  if (schema.readOnly) field.readOnly = true;
  if (schema.pattern) field.regex = schema.pattern;
  if (schema.minLength !== undefined) field.minLength = schema.minLength;
  if (schema.maxLength !== undefined) field.maxLength = schema.maxLength;
  if (schema.minimum !== undefined) field.min = schema.minimum;
  const choices = raw[CHOICES_KEYWORD] ?? schema[CHOICES_KEYWORD] ?? schema.items?.[CHOICES_KEYWORD];
  const many = schema.type === 'array';
  const selected =
    current === undefined || current === null ? undefined : ([] as unknown[]).concat(current).map(String);
  if (schema.enum) {
    field.options = {
      inline: schema.enum.map((value) => ({ prompt: value.charAt(0).toUpperCase() + value.slice(1), value })),
      minItems: required ? 1 : 0,
      maxItems: 1,
      ...(selected ? { selectedValues: selected } : {}),
    };
  } else if (choices) {
    field.options = {
      link: { href: choices.href, ...(isTemplate(choices.href) ? { templated: true as const } : {}), type: HAL_JSON },
      promptField: choices.promptField,
      valueField: choices.valueField,
      minItems: required ? 1 : 0,
      ...(many ? { maxItems: schema.maxItems ?? 100 } : { maxItems: 1 }),
      ...(selected ? { selectedValues: selected } : {}),
    };
  } else {
    const value = toValue(current);
    if (value !== undefined) field.value = value;
  }
  return field;
}

export interface FormDefinition {
  title: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The schema of the body the server accepts for this action; none for actions without a body. */
  schema?: TObject | TSchema;
  /** Present values to fill the form with (for update forms). */
  values?: Record<string, unknown>;
  /** Where to send it, when not the resource itself. */
  target?: string;
  contentType?: string;
}

export function formTemplate(definition: FormDefinition): FormTemplate {
  const schema = (definition.schema ?? { properties: {} }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const template: FormTemplate = {
    title: definition.title,
    method: definition.method,
    properties: Object.entries(schema.properties ?? {}).map(([name, field]) =>
      property(name, field, required.has(name), definition.values?.[name]),
    ),
  };
  if (definition.method !== 'DELETE') {
    // JSON for every action, PATCH included (the server reads a JSON PATCH body as a merge patch): Ketting and
    // other clients serialise only application/json, though HAL-FORMS says to treat unknown types as JSON.
    template.contentType = definition.contentType ?? JSON_TYPE;
  }
  if (definition.target !== undefined) template.target = definition.target;
  return template;
}
