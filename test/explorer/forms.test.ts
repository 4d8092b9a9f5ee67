import test from 'ava';
import { type FormTemplate, fieldAtFault, initialValue, requestBody } from '../../src/explorer/forms.ts';

const update: FormTemplate = {
  title: 'Change this ticket',
  method: 'PATCH',
  contentType: 'application/merge-patch+json',
  properties: [
    { name: 'title', type: 'text', value: 'Printer on fire' },
    { name: 'description', type: 'textarea', value: 'Smoke.' },
    { name: 'status', options: { inline: [{ prompt: 'Open', value: 'open' }, { prompt: 'Closed', value: 'closed' }], maxItems: 1, selectedValues: ['open'] } },
    { name: 'assignee', type: 'text', value: 'bob' },
    { name: 'tags', type: 'text', value: 'printer, fire' },
    { name: 'id', type: 'number', value: '3', readOnly: true },
  ],
};
const hints = { assignee: { nullable: true }, tags: { array: true } };

test('a merge patch sends only what changed', (t) => {
  const entered = Object.fromEntries((update.properties ?? []).map((p) => [p.name, initialValue(p)]));
  t.deepEqual(requestBody(update, entered, hints), {});
  t.deepEqual(requestBody(update, { ...entered, title: 'Printer fixed', status: 'closed' }, hints), { title: 'Printer fixed', status: 'closed' });
});

test('a merge patch clears a nullable field with null, other text with an empty string, a list with []', (t) => {
  t.deepEqual(requestBody(update, { assignee: '', description: '', tags: '' }, hints), { assignee: null, description: '', tags: [] });
});

test('comma-separated text becomes a list where the schema says the field is one', (t) => {
  t.deepEqual(requestBody(update, { tags: ' printer , smoke,, ' }, hints), { tags: ['printer', 'smoke'] });
  t.deepEqual(requestBody(update, { tags: 'printer, smoke' }, {}), { tags: 'printer, smoke' }, 'without the hint it is text');
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
  t.deepEqual(requestBody(create, { question: 'Why?', related: ['2', '5'], into: '7', id: '9' }), { question: 'Why?', related: ['2', '5'], into: 7 });
  t.deepEqual(requestBody(create, { question: 'Why?', into: 'seven' }), { question: 'Why?', into: 'seven' }, 'the server names what is wrong');
});

test('a field starts with its value or its selected values', (t) => {
  t.is(initialValue({ name: 'status', options: { inline: ['a', 'b'], maxItems: 1, selectedValues: ['b'] } }), 'b');
  t.deepEqual(initialValue({ name: 'related', options: { inline: ['a', 'b'], selectedValues: ['a', 'b'] } }), ['a', 'b']);
  t.is(initialValue({ name: 'title' }), '');
});

test('the field at fault is read from a JSON pointer or a query parameter', (t) => {
  t.is(fieldAtFault({ pointer: '#/requester' }), 'requester');
  t.is(fieldAtFault({ pointer: '/tags/2' }), 'tags');
  t.is(fieldAtFault({ parameter: 'size' }), 'size');
  t.is(fieldAtFault({ pointer: '' }), undefined);
});
