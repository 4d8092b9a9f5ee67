// Request bodies are checked against the resource's JSON Schema at the edge and come out typed;
// the rest of the code trusts them. Every field at fault is named, with a JSON pointer.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import { CHOICES_KEYWORD } from '../links/forms.ts';
import { FORMATS, lengthFirst } from './length-first.ts';
import { type FieldError, invalid } from './problem.ts';

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
addFormats.default(ajv, [...FORMATS]);

const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(lengthFirst(schema) as TSchema);
    compiled.set(schema, validate);
  }
  return validate;
}

function toFieldError(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return { pointer: `#${error.instancePath}/${String(params.missingProperty)}`, detail: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    return {
      pointer: `#${error.instancePath}/${String(params.additionalProperty)}`,
      detail: 'is not a field of this resource',
    };
  }
  return { pointer: `#${error.instancePath}`, detail: error.message ?? 'is not valid' };
}

/**
 * One entry per fault a reader can act on. ajv reports every failed alternative of an anyOf: when the value is
 * of the right kind for some alternative (a list of tags, one too long), only that alternative's faults are
 * kept; when it is of no kind offered (`true` for a reference), the field is named once with what it may be.
 * An if/then is reported by the failure inside it alone.
 */
function fieldErrors(errors: ErrorObject[]): FieldError[] {
  const dropped = new Set<ErrorObject>();
  const summaries = new Map<ErrorObject, string>();
  const isAnyOf = (e: ErrorObject) => e.keyword === 'anyOf';
  const outermost = errors.filter(
    (e) => isAnyOf(e) && !errors.some((o) => o !== e && isAnyOf(o) && e.schemaPath.startsWith(`${o.schemaPath}/`)),
  );
  for (const anyOf of outermost) {
    const within = (e: ErrorObject) =>
      e.instancePath === anyOf.instancePath || e.instancePath.startsWith(`${anyOf.instancePath}/`);
    // Items of one array share a schema path: an anyOf's own faults are those under its path, at its value.
    const inside = errors.filter((e) => e !== anyOf && e.schemaPath.startsWith(`${anyOf.schemaPath}/`) && within(e));
    const branchOf = (e: ErrorObject) => e.schemaPath.slice(anyOf.schemaPath.length + 1).split('/')[0];
    const wrongKind = (e: ErrorObject) => e.instancePath === anyOf.instancePath && (e.keyword === 'type' || isAnyOf(e));
    const branches = new Set(inside.map(branchOf));
    const rightKind = [...branches].filter((b) => inside.some((e) => branchOf(e) === b && !wrongKind(e)));
    if (rightKind.length > 0) {
      dropped.add(anyOf);
      for (const e of inside) if (!rightKind.includes(branchOf(e))) dropped.add(e);
    } else {
      inside.forEach((e) => dropped.add(e));
      summaries.set(
        anyOf,
        [...new Set(inside.filter((e) => !isAnyOf(e)).map((e) => e.message ?? 'valid'))].join(', or '),
      );
    }
  }
  const kept = errors
    .filter((e) => e.keyword !== 'if' && !dropped.has(e))
    .map((e) => {
      const summary = summaries.get(e);
      return summary === undefined ? toFieldError(e) : { pointer: `#${e.instancePath}`, detail: summary };
    });
  // One fault found by two rules (an FAQ's answer: its own length, and the length a published one must keep) is one entry.
  return kept.filter((e, i) => kept.findIndex((o) => o.pointer === e.pointer && o.detail === e.detail) === i);
}

/** The fields the server sets on every resource it stores (its id and times): no body may name them. */
export const READ_ONLY_FIELDS = ['id', 'createdAt', 'updatedAt'] as const;

export interface BodyDescription<S extends TObject> {
  schema: S;
  /** What the body describes, for messages ("a ticket"). */
  noun: string;
  /** Fields the server owns: a body that names one is refused, never silently ignored. */
  readOnly: readonly string[];
}

interface ChoiceSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: ChoiceSchema[];
  [CHOICES_KEYWORD]?: unknown;
}

/** A field a form offers as options of which one may be chosen (fixed values, or other resources). */
function isSingleChoice(schema: ChoiceSchema): boolean {
  const alternatives = [schema, ...(schema.anyOf ?? [])];
  if (alternatives.some((s) => s.type === 'array')) return false;
  return schema[CHOICES_KEYWORD] !== undefined || alternatives.some((s) => s.enum !== undefined);
}

const singleChoices = new WeakMap<TSchema, readonly string[]>();

function singleChoiceFields(schema: TSchema): readonly string[] {
  let fields = singleChoices.get(schema);
  if (!fields) {
    const properties = (schema as { properties?: Record<string, ChoiceSchema> }).properties ?? {};
    fields = Object.entries(properties)
      .filter(([, field]) => isSingleChoice(field))
      .map(([name]) => name);
    singleChoices.set(schema, fields);
  }
  return fields;
}

/**
 * HAL-FORMS gives a choice's current value as `selectedValues`, a list even when one value may be chosen, and
 * clients send it back as they got it (Ketting 8 does, for every field the caller leaves alone): a one-element
 * list for a single-choice field is read as its one value. Anything else is left for the schema to judge.
 */
function unwrapSingleChoices(schema: TSchema, body: Record<string, unknown>): Record<string, unknown> {
  let unwrapped: Record<string, unknown> | undefined;
  for (const name of singleChoiceFields(schema)) {
    const value = body[name];
    if (Array.isArray(value) && value.length === 1 && (typeof value[0] !== 'object' || value[0] === null)) {
      unwrapped ??= { ...body };
      unwrapped[name] = value[0];
    }
  }
  return unwrapped ?? body;
}

/** Checks a parsed JSON body against a description, or throws a 400 problem naming every field at fault. */
export function validateBody<S extends TObject>(description: BodyDescription<S>, given: unknown): Static<S> {
  if (given === undefined) throw invalid(`Send ${description.noun} as a JSON object in the request body.`);
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw invalid(`The body must be a JSON object describing ${description.noun}.`, [
      { pointer: '#', detail: 'must be an object' },
    ]);
  }
  const body = unwrapSingleChoices(description.schema, given as Record<string, unknown>);
  const readOnly = Object.keys(body).filter((key) => description.readOnly.includes(key));
  const readOnlyErrors = readOnly.map((key) => ({
    pointer: `#/${key}`,
    detail: 'is read-only: this request may not set it',
  }));
  const validate = validatorFor(description.schema);
  const schemaErrors = validate(body)
    ? []
    : fieldErrors(validate.errors ?? []).filter((e) => !readOnly.some((key) => e.pointer === `#/${key}`));
  const errors = [...readOnlyErrors, ...schemaErrors];
  if (errors.length > 0) {
    const fields = [...new Set(errors.map((e) => e.pointer?.replace(/^#\/?/, '') || 'body'))].join(', ');
    throw invalid(`The body is not a valid ${description.noun.replace(/^an? /, '')}: look at ${fields}.`, errors);
  }
  return body;
}

/**
 * Text with at least one visible character. Anchored on purpose: JSON Schema patterns match anywhere, HTML
 * (and so HAL-FORMS `regex`) patterns must match the whole value, and this one means the same under both.
 */
export const NOT_BLANK = '^[\\s\\S]*\\S[\\s\\S]*$';

/** A required line of text (a ticket's title, an FAQ's question, a token's name): not blank, at most `maxLength`. */
export function requiredText(maxLength: number, annotations: { title: string; description: string }) {
  return Type.String({ minLength: 1, maxLength, pattern: NOT_BLANK, ...annotations });
}

const narrowed = new WeakMap<BodyDescription<TObject>, Map<string, BodyDescription<TObject>>>();

/**
 * The same body without some fields, which become refused (400) like read-only ones: what a less privileged
 * caller may send. Forms built from the result offer exactly that. Memoised, so schemas compile once.
 */
export function withoutFields<S extends TObject>(
  description: BodyDescription<S>,
  fields: readonly string[],
): BodyDescription<S> {
  if (fields.length === 0) return description;
  const key = [...fields].sort().join(',');
  let byKey = narrowed.get(description);
  if (!byKey) narrowed.set(description, (byKey = new Map<string, BodyDescription<TObject>>()));
  const cached = byKey.get(key);
  if (cached) return cached as BodyDescription<S>;
  const schema = description.schema as unknown as { properties: Record<string, unknown>; required?: string[] };
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([name]) => !fields.includes(name)));
  const required = schema.required?.filter((name) => !fields.includes(name));
  const result = {
    ...description,
    schema: { ...schema, properties, ...(required ? { required } : {}) } as unknown as S,
    readOnly: [...description.readOnly, ...fields],
  };
  byKey.set(key, result);
  return result;
}
