import test from 'ava';
import {
  type FormTemplate,
  bodyField,
  bodyTypeOf,
  fieldAtFault,
  fieldFaults,
  initialValue,
  plainRule,
  requestBody,
} from '../../src/explorer/forms.ts';

const update: FormTemplate = {
  title: 'Change this ticket',
  method: 'PATCH',
  contentType: 'application/merge-patch+json',
  properties: [
    { name: 'title', type: 'text', value: 'Printer on fire' },
    { name: 'description', type: 'textarea', value: 'Smoke.' },
    {
      name: 'status',
      options: {
        inline: [
          { prompt: 'Open', value: 'open' },
          { prompt: 'Closed', value: 'closed' },
        ],
        maxItems: 1,
        selectedValues: ['open'],
      },
    },
    { name: 'assignee', type: 'text', value: 'bob' },
    { name: 'tags', type: 'text', value: 'printer, fire' },
    { name: 'id', type: 'number', value: '3', readOnly: true },
  ],
};
const hints = { assignee: { nullable: true }, tags: { array: true } };

test('a merge patch sends only what changed', (t) => {
  const entered = Object.fromEntries((update.properties ?? []).map((p) => [p.name, initialValue(p)]));
  t.deepEqual(requestBody(update, entered, hints), {});
  t.deepEqual(requestBody(update, { ...entered, title: 'Printer fixed', status: 'closed' }, hints), {
    title: 'Printer fixed',
    status: 'closed',
  });
});

test('a merge patch clears a nullable field with null, other text with an empty string, a list with []', (t) => {
  t.deepEqual(requestBody(update, { assignee: '', description: '', tags: '' }, hints), {
    assignee: null,
    description: '',
    tags: [],
  });
});

test('comma-separated text becomes a list where the schema says the field is one', (t) => {
  t.deepEqual(requestBody(update, { tags: ' printer , smoke,, ' }, hints), { tags: ['printer', 'smoke'] });
  t.deepEqual(
    requestBody(update, { tags: 'printer, smoke' }, {}),
    { tags: 'printer, smoke' },
    'without the hint it is text',
  );
});

const create: FormTemplate = {
  title: 'Write an FAQ',
  method: 'POST',
  properties: [
    { name: 'question', type: 'text', required: true },
    { name: 'answer', type: 'textarea' },
    { name: 'related', options: { link: { href: '/faqs' }, maxItems: 50 } },
    { name: 'into', type: 'number' },
    { name: 'id', type: 'number', readOnly: true },
  ],
};

test('a create sends what was filled in and leaves empty fields to the server’s defaults', (t) => {
  t.deepEqual(requestBody(create, { question: 'Why?', answer: '', related: [], into: '' }), { question: 'Why?' });
});

test('several choices are sent as a list, numbers as numbers, read-only fields never', (t) => {
  t.deepEqual(requestBody(create, { question: 'Why?', related: ['2', '5'], into: '7', id: '9' }), {
    question: 'Why?',
    related: ['2', '5'],
    into: 7,
  });
  t.deepEqual(
    requestBody(create, { question: 'Why?', into: 'seven' }),
    { question: 'Why?', into: 'seven' },
    'the server names what is wrong',
  );
});

test('a field starts with its value or its selected values', (t) => {
  t.is(initialValue({ name: 'status', options: { inline: ['a', 'b'], maxItems: 1, selectedValues: ['b'] } }), 'b');
  t.deepEqual(initialValue({ name: 'related', options: { inline: ['a', 'b'], selectedValues: ['a', 'b'] } }), [
    'a',
    'b',
  ]);
  t.is(initialValue({ name: 'title' }), '');
});

test('the field at fault is read from a JSON pointer or a query parameter', (t) => {
  t.is(fieldAtFault({ pointer: '#/requester' }), 'requester');
  t.is(fieldAtFault({ pointer: '/tags/2' }), 'tags');
  t.is(fieldAtFault({ parameter: 'size' }), 'size');
  t.is(fieldAtFault({ pointer: '' }), undefined);
});

const BODY_TYPES = ['application/json', 'application/x-ndjson'];

test('a body sent whole is JSON or NDJSON by its file’s extension, else by its content', (t) => {
  t.is(bodyTypeOf('{"a":1}', BODY_TYPES, 'rows.ndjson'), 'application/x-ndjson');
  t.is(bodyTypeOf('{"a":1}', BODY_TYPES, 'rows.JSONL'), 'application/x-ndjson');
  t.is(
    bodyTypeOf('{"a":1}\n{"a":2}', BODY_TYPES, 'rows.json'),
    'application/json',
    'the name says JSON: the server says what is wrong',
  );
  t.is(bodyTypeOf('[{"a":1}]', BODY_TYPES, 'export.txt'), 'application/json');
  t.is(bodyTypeOf(' {"a":1}\n{"a":2}\n', BODY_TYPES), 'application/x-ndjson');
  t.is(bodyTypeOf('{"a":1}', BODY_TYPES), 'application/json', 'one object is one JSON value');
  t.is(bodyTypeOf('', BODY_TYPES), 'application/json');
  t.is(bodyTypeOf('{"a":1}\n{"a":2}', ['application/json']), 'application/json', 'only what the form offers');
});

test('the field that is the whole body is the one with x-body', (t) => {
  t.is(bodyField(create), undefined);
  const imports: FormTemplate = {
    method: 'POST',
    properties: [{ name: 'tickets', type: 'textarea', 'x-body': BODY_TYPES }],
  };
  t.is(bodyField(imports)?.name, 'tickets');
});

test('validator messages are said for people, with the field’s prompt: one message per fault', (t) => {
  const title = { name: 'title', prompt: 'Title', regex: '^[\\s\\S]*\\S[\\s\\S]*$' };
  const status = {
    name: 'status',
    prompt: 'Status',
    options: {
      inline: [
        { prompt: 'Open', value: 'open' },
        { prompt: 'Closed', value: 'closed' },
      ],
    },
  };
  const faults = fieldFaults(
    [
      { pointer: '#/title', detail: 'must NOT have fewer than 1 characters' },
      { pointer: '#/title', detail: 'must match pattern "^[\\s\\S]*\\S[\\s\\S]*$"' },
      { pointer: '#/status', detail: 'must be equal to one of the allowed values' },
      { pointer: '#/requester', detail: 'must match format "email"' },
    ],
    [title, status],
  );
  t.deepEqual(
    faults.map((fault) => fault.message),
    ['Title must not be blank', 'Status must be one of Open, Closed', 'Requester must be an email address'],
  );
  t.is(faults[0]!.property, title);
  t.is(faults[2]!.property, undefined, 'a field the form does not show is still named');
});

test('rules without a plainer wording are kept as the server said them', (t) => {
  t.is(plainRule('must NOT have more than 200 characters'), 'must have at most 200 characters');
  t.is(plainRule('must NOT have fewer than 3 characters'), 'must have at least 3 characters');
  t.is(plainRule('must be >= 1'), 'must be at least 1');
  t.is(plainRule('must be integer'), 'must be a whole number');
  t.is(plainRule('is required'), 'is required');
  t.is(plainRule('names no ticket here'), 'names no ticket here');
});
