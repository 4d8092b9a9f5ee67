// A client that knows HAL-FORMS and nothing about this API: it starts at the root, follows relations, and
// learns from each template where to send what. Nothing here names a URL or a field, except the root and the
// values the client makes up.
import test from 'ava';
import {
  type FormProperty,
  type HalDocument,
  type Template,
  expand,
  HAL_FORMS,
  linkOf,
} from '../../helpers/hypermedia.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

async function get(path: string): Promise<HalDocument> {
  const response = await server.fetch(path, { headers: { Accept: HAL_FORMS } });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as HalDocument;
}

/** HAL-FORMS regexes match the whole value, as HTML patterns do. */
const matchesWhole = (regex: string, value: string) => new RegExp(`^(?:${regex})$`, 'u').test(value);

/** Text that keeps every constraint the property states, or an error if the client cannot make one. */
function textFor(property: FormProperty, wanted: string): string {
  let value = wanted.slice(0, property.maxLength ?? wanted.length).padEnd(property.minLength ?? 0, 'x');
  if (property.regex !== undefined && !matchesWhole(property.regex, value))
    value = 'x'.repeat(Math.max(1, property.minLength ?? 1));
  if (property.regex !== undefined && !matchesWhole(property.regex, value))
    throw new Error(`cannot fill ${property.name}: /${property.regex}/`);
  return value;
}

/** A value for a property, chosen from what the template says about it: its options, type and constraints. */
async function valueFor(property: FormProperty): Promise<unknown> {
  const options = property.options;
  if (options?.inline) return options.selectedValues?.[0] ?? options.inline[0]!.value;
  if (options?.link) {
    const choices = await get(expand(options.link.href));
    const first = Object.values(choices._embedded ?? {}).flat()[0];
    if (!first) throw new Error(`no choice for ${property.name} at ${options.link.href}`);
    return first[options.valueField ?? 'value'];
  }
  if (property.type === 'email') return textFor(property, 'generic.client@customers.example');
  if (property.type === 'number') return property.min ?? 1;
  return textFor(property, `Filled in by a generic client for ${property.prompt ?? property.name}`);
}

/** Sends a template's body exactly as the template says: its method, its content type, its target or self. */
function submit(template: Template, self: string, body: Record<string, unknown>): Promise<Response> {
  return server.fetch(template.target ?? self, {
    method: template.method,
    headers: { 'Content-Type': template.contentType ?? 'application/json', Accept: HAL_FORMS },
    body: JSON.stringify(body),
  });
}

test('a generic HAL-FORMS client reports a ticket and then changes it, using only what the templates say', async (t) => {
  const root = await get('/');
  const collection = await get(expand(linkOf(root, 'tickets').href));
  const create = collection._templates?.default;
  if (!create) return t.fail('the tickets collection offers no default template');

  const filled: Record<string, unknown> = {};
  for (const property of create.properties.filter((p) => p.required)) filled[property.name] = await valueFor(property);
  t.true(Object.keys(filled).length > 0, 'the create form requires something');
  t.true(Object.values(filled).includes('generic.client@customers.example'), 'an email property got an email');

  const created = await submit(create, linkOf(collection, 'self').href, filled);
  t.is(created.status, 201, await created.clone().text());
  const location = created.headers.get('location');
  if (!location) return t.fail('a create answers with Location');
  const ticket = await get(location);
  for (const [name, value] of Object.entries(filled)) t.is(ticket[name], value, name);

  // Change a field the form offers choices for, to a value it offers but has not selected.
  const update = ticket._templates?.update;
  if (!update) return t.fail('a new ticket offers an update template');
  const changeable = update.properties.find(
    (p) => !p.readOnly && p.options?.inline?.some((o) => !(p.options!.selectedValues ?? []).includes(o.value)),
  );
  if (!changeable) return t.fail('the update template offers no choice to change');
  const selected = changeable.options!.selectedValues ?? [];
  t.deepEqual(selected, [String(ticket[changeable.name])], 'the form preselects the current value');
  const choice = changeable.options!.inline!.find((o) => !selected.includes(o.value))!.value;

  const changed = await submit(update, linkOf(ticket, 'self').href, { [changeable.name]: choice });
  t.is(changed.status, 200, await changed.clone().text());
  const after = await get(location);
  t.is(after[changeable.name], choice);
  for (const [name, value] of Object.entries(filled)) t.is(after[name], value, `${name} is kept by a partial update`);
  t.deepEqual(after._templates!.update!.properties.find((p) => p.name === changeable.name)!.options!.selectedValues, [
    choice,
  ]);
});
