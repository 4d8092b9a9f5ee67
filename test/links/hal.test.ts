// The HAL wrapper mends the `hal` package: these are the promises it keeps, checked without a server.
import test from 'ava';
import { HalResource } from '../../src/links/hal.ts';

test('a link keeps type, profile and deprecation, which the hal package drops', (t) => {
  const document = new HalResource({}, '/things/1')
    .link('describedby', {
      href: '/schemas/thing',
      type: 'application/schema+json',
      profile: '/profiles/thing',
      deprecation: '/docs/deprecated',
    })
    .toJSON();
  t.deepEqual(document._links.describedby, {
    href: '/schemas/thing',
    type: 'application/schema+json',
    profile: '/profiles/thing',
    deprecation: '/docs/deprecated',
  });
});

test('a link keeps title, name and hreflang, and nothing it was not given', (t) => {
  const document = new HalResource({}, { href: '/things/1', title: 'Thing one' })
    .link('alternate', { href: '/things/1/fr', title: 'Chose', name: 'fr', hreflang: 'fr' })
    .toJSON();
  t.deepEqual(document._links.self, { href: '/things/1', title: 'Thing one' });
  t.deepEqual(document._links.alternate, { href: '/things/1/fr', title: 'Chose', name: 'fr', hreflang: 'fr' });
});

test('templated is true exactly when the href has a template expression', (t) => {
  const document = new HalResource({}, '/things')
    .link('find', '/things{?q}')
    .link('one', '/things/{id}')
    .link('plain', '/things?q=x')
    .toJSON();
  t.deepEqual(document._links.find, { href: '/things{?q}', templated: true });
  t.deepEqual(document._links.one, { href: '/things/{id}', templated: true });
  t.deepEqual(document._links.plain, { href: '/things?q=x' });
  t.deepEqual(document._links.self, { href: '/things' });
});

test('two links under one relation become an array without stray rel keys', (t) => {
  const document = new HalResource({}, '/things/1').link('item', '/a').link('item', '/b').toJSON();
  t.deepEqual(document._links.item, [{ href: '/a' }, { href: '/b' }]);
});

test('linkArray gives an array for one link and for none', (t) => {
  const one = new HalResource({}, '/x').linkArray('related', ['/faqs/2']).toJSON();
  const none = new HalResource({}, '/x').linkArray('related', []).toJSON();
  const templated = new HalResource({}, '/x').linkArray('related', [{ href: '/faqs/{id}', title: 'any' }]).toJSON();
  t.deepEqual(one._links.related, [{ href: '/faqs/2' }]);
  t.deepEqual(none._links.related, []);
  t.deepEqual(templated._links.related, [{ href: '/faqs/{id}', title: 'any', templated: true }]);
});

test('embed keeps the relation name exactly, never adding a plural s', (t) => {
  const child = new HalResource({ n: 1 }, '/tickets/1');
  const document = new HalResource({}, '/x').embed('ticket', [child]).embed('faqs', [child]).toJSON();
  t.deepEqual(Object.keys(document._embedded ?? {}).sort(), ['faqs', 'ticket']);
});

test('embed always gives an array, for one resource and for none', (t) => {
  const document = new HalResource({}, '/x')
    .embed('tickets', [new HalResource({ id: 1 }, '/tickets/1')])
    .embed('faqs', [])
    .toJSON();
  t.deepEqual(document._embedded?.tickets, [{ _links: { self: { href: '/tickets/1' } }, id: 1 }]);
  t.deepEqual(document._embedded?.faqs, []);
});

test('embedding under a relation twice appends to the same array', (t) => {
  const document = new HalResource({}, '/x')
    .embed('tickets', [new HalResource({}, '/tickets/1')])
    .embed('tickets', [new HalResource({}, '/tickets/2')])
    .toJSON();
  t.deepEqual(
    document._embedded?.tickets?.map((r) => r._links.self),
    [{ href: '/tickets/1' }, { href: '/tickets/2' }],
  );
});

test('embedded resources are mended too: attributes kept, templated set, arrays kept', (t) => {
  const child = new HalResource({}, '/faqs/1')
    .link('search', { href: '/faqs{?q}', type: 'application/hal+json' })
    .linkArray('related', ['/faqs/2']);
  const document = new HalResource({}, '/x').embed('faqs', [child]).toJSON();
  const [faq] = document._embedded?.faqs ?? [];
  t.deepEqual(faq?._links.search, { href: '/faqs{?q}', templated: true, type: 'application/hal+json' });
  t.deepEqual(faq?._links.related, [{ href: '/faqs/2' }]);
});

test('a resource without embedded resources has no _embedded member, and keeps its properties', (t) => {
  const document = new HalResource({ id: 7, tags: ['a'], assignee: null }, '/tickets/7').toJSON();
  t.false('_embedded' in document);
  t.is(document.id, 7);
  t.deepEqual(document.tags, ['a']);
  t.is(document.assignee, null);
});
