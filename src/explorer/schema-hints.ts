// Reads a resource's JSON Schema (its `describedby` link) for what HAL-FORMS leaves unsaid: which fields are
// lists (tags) and which may be null (an assignee), so a form sends `["a","b"]` and `null`, not text.
import type { FieldHint } from './forms.ts';
import { type HalDocument, isHal, isObject, linkOf } from './hal.ts';
import { send } from './http.ts';
import { expand } from './uri-template.ts';

const bySchema = new Map<string, Promise<Record<string, FieldHint>>>();

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: PropertySchema[];
  oneOf?: PropertySchema[];
}

function hintOf(schema: PropertySchema): FieldHint {
  const alternatives = [schema, ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  const types = alternatives.flatMap((alternative) => ([] as (string | undefined)[]).concat(alternative.type));
  const choices = alternatives
    .flatMap((alternative) => alternative.enum ?? [])
    .filter((value): value is string => typeof value === 'string');
  return {
    array: types.includes('array'),
    nullable: types.includes('null'),
    ...(choices.length > 0 ? { choices } : {}),
  };
}

async function loadHints(href: string): Promise<Record<string, FieldHint>> {
  const { answer } = await send('GET', href, { internal: true });
  const properties = isObject(answer?.json) ? answer.json.properties : undefined;
  const hints: Record<string, FieldHint> = {};
  if (isObject(properties))
    for (const [name, schema] of Object.entries(properties)) if (isObject(schema)) hints[name] = hintOf(schema);
  return hints;
}

/**
 * The values a templated link's variables may take, where the resource it leads to says so: a variable named
 * as a property of that resource's schema takes that property's values (`status` on /tickets{?status}). One
 * look at the resource (the template filled with nothing), asked when the person opens the link's form.
 */
export async function variableChoices(template: string): Promise<Record<string, string[]>> {
  const { answer } = await send('GET', expand(template, {}), { internal: true });
  if (!answer || !isHal(answer.contentType, answer.json)) return {};
  const hints = await fieldHints(answer.json);
  return Object.fromEntries(
    Object.entries(hints).flatMap(([name, hint]) => (hint.choices ? [[name, hint.choices]] : [])),
  );
}

/** Hints for the forms of `document`: from its schema when it links one, and from its own values. */
export async function fieldHints(document: HalDocument): Promise<Record<string, FieldHint>> {
  const link = linkOf(document, 'describedby');
  let hints: Record<string, FieldHint> = {};
  if (link && !link.templated) {
    if (!bySchema.has(link.href))
      bySchema.set(
        link.href,
        loadHints(link.href).catch(() => ({})),
      );
    hints = { ...(await bySchema.get(link.href)) };
  }
  for (const [name, value] of Object.entries(document))
    if (Array.isArray(value)) hints[name] = { ...hints[name], array: true };
  return hints;
}
