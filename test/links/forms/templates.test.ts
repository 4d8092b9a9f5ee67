import test, { type ExecutionContext } from 'ava';
import {
  type FormProperty,
  type HalDocument,
  type Template,
  expand,
  HAL_FORMS,
  HAL_JSON,
  linkOf,
  names,
  propertyOf,
} from '../../helpers/hypermedia.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
let home: HalDocument;
test.before(async () => {
  server = await startTestServer();
  home = (await (await server.fetch('/')).json()) as HalDocument;
});
test.after.always(() => server.close());

const ticketsHref = () => expand(linkOf(home, 'tickets').href);
const faqsHref = () => expand(linkOf(home, 'faqs').href);

/** A resource as a HAL-FORMS client sees it. */
async function asForms(path: string): Promise<HalDocument> {
  const response = await server.fetch(path, { headers: { Accept: HAL_FORMS } });
  if (response.status !== 200) throw new Error(`GET ${path} as HAL-FORMS: ${response.status} ${await response.text()}`);
  if (response.headers.get('content-type') !== HAL_FORMS)
    throw new Error(`GET ${path}: ${response.headers.get('content-type')}`);
  return (await response.json()) as HalDocument;
}

async function create(collection: string, body: object): Promise<HalDocument> {
  const response = await server.fetch(collection, json('POST', body));
  if (response.status !== 201) throw new Error(`POST ${collection}: ${response.status} ${await response.text()}`);
  return (await response.json()) as HalDocument;
}

let count = 0;
const newTicket = (fields: object = {}) =>
  create(ticketsHref(), { title: `Forms ticket ${++count}`, requester: 'forms@customers.example', ...fields });
const newFaq = (fields: object = {}) => create(faqsHref(), { question: `Forms question ${++count}?`, ...fields });

const valuesOf = (property: FormProperty) => property.options?.inline?.map((option) => option.value);

/** Fields the server owns never appear in a form, and no offered field claims to be read-only. */
function assertOnlyWritableFields(t: ExecutionContext, templates: Record<string, Template>): void {
  for (const [name, template] of Object.entries(templates)) {
    for (const owned of ['id', 'createdAt', 'updatedAt'])
      t.false(names(template).includes(owned), `${name} offers ${owned}`);
    t.deepEqual(
      template.properties.filter((p) => p.readOnly !== undefined),
      [],
      name,
    );
    for (const property of template.properties) t.truthy(property.prompt, `${name}.${property.name} has a prompt`);
  }
}

/** The NOT_BLANK kind of regex: whole-value, refusing blank text and accepting any visible character. */
function assertRefusesBlank(t: ExecutionContext, property: FormProperty): void {
  t.is(typeof property.regex, 'string', property.name);
  const regex = new RegExp(property.regex!, 'u');
  t.false(regex.test('   '), property.name);
  t.true(regex.test('x'), property.name);
  t.true(regex.test(' Printer on fire '), property.name);
}

test('the tickets collection offers only default: POST to the collection, title and requester required', async (t) => {
  const collection = await asForms(ticketsHref());
  t.deepEqual(Object.keys(collection._templates!), ['default']);
  const form = collection._templates!.default!;
  t.is(form.method, 'POST');
  t.is(form.contentType, 'application/json');
  t.is(form.target, ticketsHref());
  t.deepEqual(names(form), ['title', 'requester', 'description', 'status', 'priority', 'assignee', 'tags']);
  t.deepEqual(
    form.properties.filter((p) => p.required).map((p) => p.name),
    ['title', 'requester'],
  );
  for (const property of form.properties) t.is(typeof property.required, 'boolean', property.name);

  const title = propertyOf(form, 'title');
  t.is(title.prompt, 'Title');
  t.is(title.minLength, 1);
  t.is(title.maxLength, 200);
  assertRefusesBlank(t, title);
  const requester = propertyOf(form, 'requester');
  t.is(requester.type, 'email');
  t.is(requester.maxLength, 254);
  t.is(propertyOf(form, 'description').maxLength, 10_000);
  t.is(propertyOf(form, 'assignee').minLength, 1);
  t.is(propertyOf(form, 'assignee').maxLength, 200);
  t.deepEqual(valuesOf(propertyOf(form, 'status')), ['open', 'pending', 'solved', 'closed']);
  t.deepEqual(valuesOf(propertyOf(form, 'priority')), ['low', 'normal', 'high', 'urgent']);
  t.is(propertyOf(form, 'status').options!.maxItems, 1);
  // A create form has nothing to preselect.
  for (const property of form.properties) {
    t.is(property.value, undefined, property.name);
    t.is(property.options?.selectedValues, undefined, property.name);
  }
  assertOnlyWritableFields(t, collection._templates!);
});

test('the faqs collection offers only default: POST to the collection; source and related choose from the collections', async (t) => {
  const collection = await asForms(faqsHref());
  t.deepEqual(Object.keys(collection._templates!), ['default']);
  const form = collection._templates!.default!;
  t.is(form.method, 'POST');
  t.is(form.contentType, 'application/json');
  t.is(form.target, faqsHref());
  t.deepEqual(names(form), ['question', 'answer', 'status', 'source', 'related']);
  t.deepEqual(
    form.properties.filter((p) => p.required).map((p) => p.name),
    ['question'],
  );
  const question = propertyOf(form, 'question');
  t.is(question.prompt, 'Question');
  t.is(question.minLength, 1);
  t.is(question.maxLength, 500);
  assertRefusesBlank(t, question);
  t.is(propertyOf(form, 'answer').maxLength, 20_000);
  t.deepEqual(valuesOf(propertyOf(form, 'status')), ['draft', 'published']);

  const source = propertyOf(form, 'source').options!;
  t.is(source.link?.href, linkOf(home, 'tickets').href, 'source is chosen from the tickets collection');
  t.is(source.valueField, 'id');
  t.is(source.promptField, 'title');
  t.is(source.maxItems, 1);
  const related = propertyOf(form, 'related').options!;
  t.is(related.link?.href, linkOf(home, 'faqs').href, 'related are chosen from the faqs collection');
  t.is(related.valueField, 'id');
  t.is(related.promptField, 'question');
  t.is(related.minItems, 0);
  t.is(related.maxItems, 50);
  assertOnlyWritableFields(t, collection._templates!);
});

test('an open ticket offers update, replace, delete, promote and merge, each with its method, type and target', async (t) => {
  const created = await newTicket({ priority: 'high' });
  const ticket = await asForms(linkOf(created, 'self').href);
  const templates = ticket._templates!;
  t.deepEqual(Object.keys(templates).sort(), ['delete', 'merge', 'promote', 'replace', 'update']);

  const update = templates.update!;
  t.is(update.method, 'PATCH');
  t.is(update.contentType, 'application/json', 'a JSON PATCH body is a merge patch, and every client can send JSON');
  t.is(update.target, linkOf(ticket, 'self').href, 'update goes to the ticket itself, and says so');
  t.deepEqual(
    update.properties.filter((p) => p.required),
    [],
    'a merge patch requires nothing',
  );
  t.deepEqual(propertyOf(update, 'status').options!.selectedValues, ['open']);
  t.deepEqual(propertyOf(update, 'priority').options!.selectedValues, ['high']);
  t.deepEqual(valuesOf(propertyOf(update, 'status')), ['open', 'pending', 'solved', 'closed']);
  t.is(propertyOf(update, 'title').value, created.title as string);
  t.is(propertyOf(update, 'requester').value, 'forms@customers.example');
  assertRefusesBlank(t, propertyOf(update, 'title'));

  const replace = templates.replace!;
  t.is(replace.method, 'PUT');
  t.is(replace.contentType, 'application/json');
  t.is(replace.target, linkOf(ticket, 'self').href);
  t.deepEqual(
    replace.properties.filter((p) => p.required).map((p) => p.name),
    ['title', 'requester'],
  );
  t.deepEqual(propertyOf(replace, 'priority').options!.selectedValues, ['high']);

  t.is(templates.delete!.method, 'DELETE');
  t.is(templates.delete!.target, linkOf(ticket, 'self').href);
  t.deepEqual(templates.delete!.properties, []);

  t.is(templates.promote!.method, 'POST');
  t.is(templates.promote!.target, linkOf(ticket, 'promote').href);
  t.deepEqual(templates.promote!.properties, []);

  const merge = templates.merge!;
  t.is(merge.method, 'POST');
  t.is(merge.contentType, 'application/json');
  t.is(merge.target, linkOf(ticket, 'merge').href);
  t.deepEqual(names(merge), ['into']);
  const into = propertyOf(merge, 'into');
  t.true(into.required);
  t.is(into.options?.link?.href, linkOf(home, 'tickets').href, 'the survivor is chosen from the tickets collection');
  t.is(into.options?.valueField, 'id');
  t.is(into.options?.promptField, 'title');
  t.is(into.options?.minItems, 1);
  t.is(into.options?.maxItems, 1);
  assertOnlyWritableFields(t, templates);
});

test('pending and solved tickets still offer every action', async (t) => {
  for (const status of ['pending', 'solved']) {
    const ticket = await asForms(linkOf(await newTicket({ status }), 'self').href);
    t.deepEqual(Object.keys(ticket._templates!).sort(), ['delete', 'merge', 'promote', 'replace', 'update'], status);
    t.deepEqual(propertyOf(ticket._templates!.update!, 'status').options!.selectedValues, [status]);
  }
});

test('a closed ticket offers promote only, and the actions it no longer offers are indeed refused', async (t) => {
  const created = await newTicket();
  const self = linkOf(created, 'self').href;
  const closed = await server.fetch(
    self,
    json('PATCH', { status: 'closed' }, { 'Content-Type': 'application/merge-patch+json' }),
  );
  t.is(closed.status, 200);
  const ticket = await asForms(self);
  t.deepEqual(Object.keys(ticket._templates!), ['promote']);
  t.is(ticket._templates!.promote!.target, linkOf(ticket, 'promote').href);

  t.is((await server.fetch(self, json('PATCH', { priority: 'low' }))).status, 409);
  t.is((await server.fetch(self, { method: 'DELETE' })).status, 409);
  // Nor is merging: the link is gone with the form, and the address it had refuses.
  t.is(ticket._links.merge, undefined);
  t.is((await server.fetch(linkOf(created, 'merge').href, json('POST', { into: (await newTicket()).id }))).status, 409);
  const after = (await (await server.fetch(self)).json()) as HalDocument;
  t.is(after.priority, 'normal');
  t.is(after.status, 'closed');
  // Promoting changes nothing on the ticket, so it stays on offer and works.
  const promoted = await server.fetch(ticket._templates!.promote!.target!, {
    method: ticket._templates!.promote!.method,
  });
  t.is(promoted.status, 201);
});

test('a draft FAQ without an answer offers update, replace and delete, but not publish', async (t) => {
  const ticket = await newTicket();
  const related = await newFaq();
  const created = await newFaq({ source: ticket.id, related: [related.id] });
  const faq = await asForms(linkOf(created, 'self').href);
  const templates = faq._templates!;
  t.deepEqual(Object.keys(templates).sort(), ['delete', 'replace', 'update']);

  const update = templates.update!;
  t.is(update.method, 'PATCH');
  t.is(update.contentType, 'application/json');
  t.is(update.target, linkOf(faq, 'self').href);
  t.deepEqual(
    update.properties.filter((p) => p.required),
    [],
  );
  t.deepEqual(propertyOf(update, 'status').options!.selectedValues, ['draft']);
  // Choices are offered by id (the valueField), so the current ones are selected by id.
  t.deepEqual(propertyOf(update, 'source').options!.selectedValues, [String(ticket.id)]);
  t.deepEqual(propertyOf(update, 'related').options!.selectedValues, [String(related.id)]);
  t.is(propertyOf(update, 'related').options!.link?.href, linkOf(home, 'faqs').href);
  t.is(propertyOf(update, 'question').value, created.question as string);

  t.is(templates.replace!.method, 'PUT');
  t.is(templates.replace!.contentType, 'application/json');
  t.deepEqual(
    templates.replace!.properties.filter((p) => p.required).map((p) => p.name),
    ['question'],
  );
  t.is(templates.delete!.method, 'DELETE');
  assertOnlyWritableFields(t, templates);
});

test('a draft FAQ with a blank answer offers no publish, and publishing it is refused', async (t) => {
  const created = await newFaq({ answer: '   ' });
  const faq = await asForms(linkOf(created, 'self').href);
  t.deepEqual(Object.keys(faq._templates!).sort(), ['delete', 'replace', 'update']);
  const refused = await server.fetch(`${linkOf(created, 'self').href}/publish`, { method: 'POST' });
  t.is(refused.status, 409);
  t.is(((await (await server.fetch(linkOf(created, 'self').href)).json()) as HalDocument).status, 'draft');
});

test('a draft FAQ with an answer also offers publish, a POST to its publish target that publishes it; a published FAQ offers no publish', async (t) => {
  const created = await newFaq({ answer: 'Turn it off and on again.' });
  const draft = await asForms(linkOf(created, 'self').href);
  t.deepEqual(Object.keys(draft._templates!).sort(), ['delete', 'publish', 'replace', 'update']);
  const publish = draft._templates!.publish!;
  t.is(publish.method, 'POST');
  t.is(publish.target, `${linkOf(created, 'self').href}/publish`);
  t.deepEqual(publish.properties, []);

  const published = await server.fetch(publish.target!, { method: publish.method, headers: { Accept: HAL_FORMS } });
  t.is(published.status, 200);
  const after = (await published.json()) as HalDocument;
  t.is(after.status, 'published');
  t.deepEqual(Object.keys(after._templates!).sort(), ['delete', 'replace', 'update']);
  t.deepEqual(propertyOf(after._templates!.update!, 'status').options!.selectedValues, ['published']);
  t.deepEqual(Object.keys((await asForms(linkOf(created, 'self').href))._templates!).sort(), [
    'delete',
    'replace',
    'update',
  ]);
});

test('the v1 collection offers a default POST to /v1/faqs with question and source; a v1 FAQ offers update and delete only', async (t) => {
  const v1Home = (await (await server.fetch('/v1/')).json()) as HalDocument;
  const collection = await asForms(expand(linkOf(v1Home, 'faqs').href));
  t.deepEqual(Object.keys(collection._templates!), ['default']);
  const form = collection._templates!.default!;
  t.is(form.method, 'POST');
  t.is(form.contentType, 'application/json');
  t.is(form.target, expand(linkOf(v1Home, 'faqs').href));
  t.deepEqual(names(form), ['question', 'source']);
  t.deepEqual(
    form.properties.filter((p) => p.required).map((p) => p.name),
    ['question'],
  );
  t.is(propertyOf(form, 'source').type, 'number', 'v1 names the source ticket by id');
  assertRefusesBlank(t, propertyOf(form, 'question'));

  const created = await server.fetch(form.target!, json('POST', { question: 'Does v1 offer forms?' }));
  t.is(created.status, 201);
  const faq = await asForms(created.headers.get('location')!);
  t.deepEqual(Object.keys(faq._templates!).sort(), ['delete', 'update']);
  const update = faq._templates!.update!;
  t.is(update.method, 'PATCH');
  t.is(update.contentType, 'application/json');
  t.is(update.target, linkOf(faq, 'self').href);
  t.deepEqual(names(update), ['question', 'answer', 'status']);
  t.deepEqual(propertyOf(update, 'status').options!.selectedValues, ['draft']);
  t.is(faq._templates!.delete!.method, 'DELETE');
  assertOnlyWritableFields(t, { ...collection._templates!, ...faq._templates! });
});

test('the home document and search answer HAL-FORMS requests with 200 and no templates', async (t) => {
  await newTicket({ title: 'Scanner jammed' });
  await newFaq({ question: 'Why does the scanner jam?' });
  for (const path of [
    '/',
    expand(linkOf(home, 'search').href, { q: 'scanner' }),
    expand(linkOf(home, 'search').href),
  ]) {
    const response = await server.fetch(path, { headers: { Accept: HAL_FORMS } });
    t.is(response.status, 200, path);
    t.is(response.headers.get('content-type'), HAL_FORMS, path);
    const document = (await response.json()) as HalDocument;
    t.is(document._templates, undefined, path);
    t.truthy(document._links.self, path);
  }
});

test('plain HAL and JSON answers never carry _templates, whatever the resource or its state', async (t) => {
  const ticket = await newTicket();
  const faq = await newFaq({ answer: 'An answer.' });
  const v1Home = (await (await server.fetch('/v1/')).json()) as HalDocument;
  const paths = [
    '/',
    ticketsHref(),
    linkOf(ticket, 'self').href,
    faqsHref(),
    linkOf(faq, 'self').href,
    expand(linkOf(home, 'search').href, { q: 'forms' }),
    expand(linkOf(v1Home, 'faqs').href),
    expand(linkOf(v1Home, 'faq').href, { id: String(faq.id) }),
  ];
  for (const path of paths) {
    t.truthy((await asForms(path))._links, path);
    for (const [accept, type] of [
      [HAL_JSON, HAL_JSON],
      ['application/json', 'application/json'],
      ['*/*', HAL_JSON],
      [undefined, HAL_JSON],
    ] as const) {
      const response = await server.fetch(path, accept ? { headers: { Accept: accept } } : {});
      t.is(response.status, 200, `${path} ${accept}`);
      t.true(response.headers.get('content-type')!.startsWith(type), `${path} ${accept}`);
      t.false('_templates' in ((await response.json()) as HalDocument), `${path} ${accept}`);
    }
  }
  // Writes answer the same way: forms only when asked for.
  const patched = await server.fetch(
    linkOf(ticket, 'self').href,
    json('PATCH', { priority: 'low' }, { Accept: HAL_JSON }),
  );
  t.false('_templates' in ((await patched.json()) as HalDocument));
  const posted = await server.fetch(
    ticketsHref(),
    json('POST', { title: 'Asked as forms', requester: 'forms@customers.example' }, { Accept: HAL_FORMS }),
  );
  t.is(posted.status, 201);
  t.is(posted.headers.get('content-type'), HAL_FORMS);
  t.deepEqual(Object.keys(((await posted.json()) as HalDocument)._templates!).sort(), [
    'delete',
    'merge',
    'promote',
    'replace',
    'update',
  ]);
});

test('a HAL-FORMS page of a collection embeds its items without templates', async (t) => {
  await newTicket();
  const collection = await asForms(ticketsHref());
  t.true(collection._embedded!.tickets!.length > 0);
  for (const item of collection._embedded!.tickets!) t.false('_templates' in item);
});

test('negotiated answers say Vary: Accept, successes and failures alike', async (t) => {
  const ticket = await newTicket();
  const exchanges: [string, RequestInit | undefined][] = [
    ['/', undefined],
    [ticketsHref(), { headers: { Accept: HAL_FORMS } }],
    [linkOf(ticket, 'self').href, undefined],
    [linkOf(ticket, 'self').href, { headers: { Accept: 'text/html' } }], // 406
    [`${ticketsHref()}/987654`, undefined], // 404 from the handler
    [ticketsHref(), json('POST', { title: 'Vary', requester: 'forms@customers.example' })],
    [ticketsHref(), json('POST', {})], // 400
    ['/v1/', undefined],
  ];
  for (const [path, init] of exchanges) {
    const response = await server.fetch(path, init);
    await response.arrayBuffer();
    const vary = (response.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());
    t.true(
      vary.includes('accept'),
      `${init?.method ?? 'GET'} ${path} → ${response.status}: Vary ${response.headers.get('vary')}`,
    );
  }
});

test('the HAL and HAL-FORMS variants of one version have different ETags, and If-Match accepts either on PATCH', async (t) => {
  const created = await newTicket();
  const self = linkOf(created, 'self').href;
  const plain = await server.fetch(self, { headers: { Accept: HAL_JSON } });
  const forms = await server.fetch(self, { headers: { Accept: HAL_FORMS } });
  const plainTag = plain.headers.get('etag')!;
  const formsTag = forms.headers.get('etag')!;
  t.truthy(plainTag);
  t.truthy(formsTag);
  t.not(plainTag, formsTag);

  // A cache holding one variant must not be told the other is current. (fetch adds `Cache-Control: no-cache` to
  // conditional requests unless one is given, and the server then never answers 304: max-age=0 is what a browser's
  // reload sends.)
  const revalidate = (accept: string, tag: string) =>
    server.fetch(self, { headers: { Accept: accept, 'If-None-Match': tag, 'Cache-Control': 'max-age=0' } });
  t.is((await revalidate(HAL_FORMS, plainTag)).status, 200);
  t.is((await revalidate(HAL_FORMS, formsTag)).status, 304);
  t.is((await revalidate(HAL_JSON, plainTag)).status, 304);
  t.is((await revalidate(HAL_JSON, formsTag)).status, 200);

  const withFormsTag = await server.fetch(
    self,
    json('PATCH', { priority: 'urgent' }, { 'If-Match': formsTag, Accept: HAL_FORMS }),
  );
  t.is(withFormsTag.status, 200);
  const nextPlainTag = (await server.fetch(self, { headers: { Accept: HAL_JSON } })).headers.get('etag')!;
  t.not(nextPlainTag, plainTag);
  const withPlainTag = await server.fetch(self, json('PATCH', { priority: 'low' }, { 'If-Match': nextPlainTag }));
  t.is(withPlainTag.status, 200);

  // Both variants of a superseded version are refused, and change nothing.
  for (const stale of [formsTag, withFormsTag.headers.get('etag')!]) {
    const refused = await server.fetch(self, json('PATCH', { priority: 'high' }, { 'If-Match': stale }));
    t.is(refused.status, 412, stale);
  }
  t.is(((await (await server.fetch(self)).json()) as HalDocument).priority, 'low');
});

test('a merge sent as its template describes it merges the ticket', async (t) => {
  const survivor = await newTicket();
  const ticket = await asForms(linkOf(await newTicket(), 'self').href);
  const merge = ticket._templates!.merge!;
  const into = propertyOf(merge, 'into');
  // The form's choices come from its options link; the value is the chosen item's valueField.
  const choices = (await (await server.fetch(expand(into.options!.link!.href))).json()) as HalDocument;
  const choice = choices._embedded!.tickets!.find((item) => item.id === survivor.id)!;
  const response = await server.fetch(
    merge.target!,
    json(merge.method, { [into.name]: choice[into.options!.valueField!] }, { 'Content-Type': merge.contentType! }),
  );
  t.is(response.status, 200);
  t.is((await server.fetch(linkOf(ticket, 'self').href)).status, 301);
});

interface PropertySchema {
  type?: string;
  enum?: string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  anyOf?: PropertySchema[];
}

/** A property's schema with `null` taken out, as a form shows it (a form field may always be left empty). */
/** The alternative a form field stands for: not null, and the string one where there is one (tags as "a, b"). */
function withoutNull(schema: PropertySchema): PropertySchema {
  const alternatives = schema.anyOf?.filter((s) => s.type !== 'null') ?? [];
  const chosen =
    alternatives.find((s) => s.type === 'string') ?? (alternatives.length === 1 ? alternatives[0] : undefined);
  return chosen ? { ...schema, ...chosen } : schema;
}

test('a replace form sent back with the values it was filled with is accepted and changes nothing', async (t) => {
  const created = await newTicket({
    tags: ['billing', 'vip'],
    description: 'As filled.',
    assignee: 'agent@desk.example',
  });
  const ticket = await asForms(linkOf(created, 'self').href);
  const form = ticket._templates!.replace!;
  const body: Record<string, unknown> = {};
  for (const property of form.properties) {
    const value = property.options?.selectedValues?.[0] ?? property.value;
    if (value !== undefined) body[property.name] = value;
  }
  t.is(body.tags, 'billing, vip', 'a list is offered as one comma-separated text field');
  const response = await server.fetch(
    form.target ?? linkOf(ticket, 'self').href,
    json(form.method, body, { 'Content-Type': form.contentType! }),
  );
  t.is(response.status, 200);
  const after = (await response.json()) as HalDocument;
  for (const field of ['title', 'description', 'status', 'priority', 'requester', 'assignee', 'tags'])
    t.deepEqual(after[field], created[field], field);
});

test('every form states exactly the fields, requirements and constraints of the published schema of its body', async (t) => {
  const ticket = await asForms(linkOf(await newTicket(), 'self').href);
  const faq = await asForms(linkOf(await newFaq({ answer: 'Forms match.' }), 'self').href);
  const v1Home = (await (await server.fetch('/v1/')).json()) as HalDocument;
  const v1Collection = await asForms(expand(linkOf(v1Home, 'faqs').href));
  const v1Faq = await asForms(expand(linkOf(v1Home, 'faq').href, { id: String(faq.id) }));
  const forms: [string, Template, string][] = [
    ['tickets default', (await asForms(ticketsHref()))._templates!.default!, 'ticket-create'],
    ['ticket update', ticket._templates!.update!, 'ticket-patch'],
    ['ticket replace', ticket._templates!.replace!, 'ticket-create'],
    ['ticket merge', ticket._templates!.merge!, 'ticket-merge'],
    ['faqs default', (await asForms(faqsHref()))._templates!.default!, 'faq-create'],
    ['faq update', faq._templates!.update!, 'faq-patch'],
    ['faq replace', faq._templates!.replace!, 'faq-create'],
    ['v1 faqs default', v1Collection._templates!.default!, 'v1-faq-create'],
    ['v1 faq update', v1Faq._templates!.update!, 'v1-faq-patch'],
  ];
  for (const [label, form, name] of forms) {
    // The schemas are published under their names; forms do not link them (HAL-FORMS has no place for it).
    const response = await server.fetch(`/schemas/${name}`);
    t.is(response.status, 200, name);
    const schema = (await response.json()) as { properties: Record<string, PropertySchema>; required?: string[] };
    t.deepEqual(names(form), Object.keys(schema.properties), label);
    t.deepEqual(
      form.properties.filter((p) => p.required).map((p) => p.name),
      schema.required ?? [],
      label,
    );
    for (const property of form.properties) {
      const field = withoutNull(schema.properties[property.name]!);
      const at = `${label}.${property.name}`;
      t.is(property.maxLength, field.maxLength, at);
      t.is(property.minLength, field.minLength, at);
      t.is(property.regex, field.pattern, at);
      t.deepEqual(valuesOf(property), field.enum, at);
    }
  }
});

test('clients that rank HAL-FORMS first (Ketting, HAL Explorer) get templates; Traverson and curl get plain HAL', async (t) => {
  const self = linkOf(await newTicket(), 'self').href;
  const ketting =
    'application/prs.hal-forms+json;q=1.0, application/hal+json;q=0.9, application/vnd.api+json;q=0.8, application/vnd.siren+json;q=0.8, application/vnd.collection+json;q=0.8, application/json;q=0.7, text/html;q=0.6';
  for (const [client, headers, forms] of [
    ['Ketting', { Accept: ketting }, true],
    ['HAL Explorer', { Accept: `${HAL_FORMS}, ${HAL_JSON};q=0.9, */*;q=0.1` }, true],
    ['Traverson', { Accept: HAL_JSON, 'Content-Type': HAL_JSON }, false],
    ['curl', { Accept: '*/*' }, false],
  ] as const) {
    const response = await server.fetch(self, { headers });
    t.is(response.status, 200, client);
    t.is(response.headers.get('content-type'), forms ? HAL_FORMS : HAL_JSON, client);
    t.is('_templates' in ((await response.json()) as HalDocument), forms, client);
  }
});
