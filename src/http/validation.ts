// Request bodies are checked against the resource's JSON Schema at the edge and come out typed;
// the rest of the code trusts them. Every field at fault is named, with a JSON pointer.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { type FieldError, invalid } from './problem.ts';

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
addFormats.default(ajv, ['email', 'date-time', 'uri']);

const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
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
    return { pointer: `#${error.instancePath}/${String(params.additionalProperty)}`, detail: 'is not a field of this resource' };
  }
  return { pointer: `#${error.instancePath}`, detail: error.message ?? 'is not valid' };
}

/**
 * One entry per field at fault: ajv reports every failed alternative of an anyOf separately, and an if/then
 * both as "must match then" and as the failure inside it; readers want the field and what it may be.
 */
function fieldErrors(errors: ErrorObject[]): FieldError[] {
  const alternatives = new Map<ErrorObject, string[]>();
  const absorbed = new Set<ErrorObject>();
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf')) {
    const branches = errors.filter((e) => e !== anyOf && e.instancePath === anyOf.instancePath && e.schemaPath.startsWith(`${anyOf.schemaPath}/`));
    branches.forEach((e) => absorbed.add(e));
    alternatives.set(anyOf, [...new Set(branches.filter((e) => e.keyword !== 'anyOf').map((e) => e.message ?? 'valid'))]);
  }
  return errors
    .filter((e) => e.keyword !== 'if' && !absorbed.has(e))
    .map((e) => {
      const options = alternatives.get(e);
      return options && options.length > 0 ? { pointer: `#${e.instancePath}`, detail: options.join(', or ') } : toFieldError(e);
    });
}

export interface BodyDescription<S extends TObject> {
  schema: S;
  /** What the body describes, for messages ("a ticket"). */
  noun: string;
  /** Fields the server owns: a body that names one is refused, never silently ignored. */
  readOnly: readonly string[];
}

/** Checks a parsed JSON body against a description, or throws a 400 problem naming every field at fault. */
export function validateBody<S extends TObject>(description: BodyDescription<S>, body: unknown): Static<S> {
  if (body === undefined) throw invalid(`Send ${description.noun} as a JSON object in the request body.`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(`The body must be a JSON object describing ${description.noun}.`, [{ pointer: '#', detail: 'must be an object' }]);
  }
  const readOnly = Object.keys(body).filter((key) => description.readOnly.includes(key));
  const readOnlyErrors = readOnly.map((key) => ({ pointer: `#/${key}`, detail: 'is read-only: this request may not set it' }));
  const validate = validatorFor(description.schema);
  const schemaErrors = validate(body)
    ? []
    : fieldErrors(validate.errors ?? []).filter((e) => !readOnly.some((key) => e.pointer === `#/${key}`));
  const errors = [...readOnlyErrors, ...schemaErrors];
  if (errors.length > 0) {
    const fields = [...new Set(errors.map((e) => e.pointer?.replace(/^#\/?/, '') || 'body'))].join(', ');
    throw invalid(`The body is not a valid ${description.noun.replace(/^an? /, '')}: look at ${fields}.`, errors);
  }
  return body as Static<S>;
}

/**
 * Text with at least one visible character. Anchored on purpose: JSON Schema patterns match anywhere, HTML
 * (and so HAL-FORMS `regex`) patterns must match the whole value, and this one means the same under both.
 */
export const NOT_BLANK = '^[\\s\\S]*\\S[\\s\\S]*$';

const narrowed = new WeakMap<BodyDescription<TObject>, Map<string, BodyDescription<TObject>>>();

/**
 * The same body without some fields, which become refused (400) like read-only ones: what a less privileged
 * caller may send. Forms built from the result offer exactly that. Memoised, so schemas compile once.
 */
export function withoutFields<S extends TObject>(description: BodyDescription<S>, fields: readonly string[]): BodyDescription<S> {
  if (fields.length === 0) return description;
  const key = [...fields].sort().join(',');
  let byKey = narrowed.get(description);
  if (!byKey) narrowed.set(description, (byKey = new Map()));
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
  byKey.set(key, result as BodyDescription<TObject>);
  return result;
}
