// Requests name tickets and FAQs by id or by URI: which values name what, checked without a server.
import test from 'ava';
import { parseId, referencedId } from '../../src/links/references.ts';
import { endpoints } from '../../src/links/registry.ts';

const origin = 'http://127.0.0.1:4321';

test('parseId accepts positive whole numbers without leading zeros', (t) => {
  t.is(parseId('1'), 1);
  t.is(parseId('42'), 42);
  t.is(parseId('2147483647'), 2147483647, 'the largest id PostgreSQL holds');
});

test('parseId refuses anything that cannot be one of our ids', (t) => {
  for (const raw of [
    undefined,
    '',
    '0',
    '01',
    '-1',
    '+1',
    '1.0',
    '1e3',
    'abc',
    ' 1',
    '1 ',
    '0x10',
    '2147483648',
    '9999999999999999',
  ]) {
    t.is(parseId(raw), undefined, `parseId(${JSON.stringify(raw)})`);
  }
});

test('a reference may be a number or a numeric string', (t) => {
  t.is(referencedId(3, endpoints.ticket, origin), 3);
  t.is(referencedId('3', endpoints.ticket, origin), 3);
});

test('numbers that are not ids name nothing', (t) => {
  for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
    t.is(referencedId(value, endpoints.ticket, origin), undefined, String(value));
  }
});

test('a relative URI of the endpoint names its id', (t) => {
  t.is(referencedId('/tickets/12', endpoints.ticket, origin), 12);
  t.is(referencedId('/faqs/5', endpoints.faq, origin), 5);
});

test('an absolute URI on this server names its id', (t) => {
  t.is(referencedId(`${origin}/tickets/12`, endpoints.ticket, origin), 12);
});

test('URIs elsewhere, of another endpoint, or with more than a path name nothing', (t) => {
  const nothing = [
    'http://example.com/tickets/12',
    'http://127.0.0.1:9999/tickets/12',
    '//example.com/tickets/12',
    '/faqs/12',
    '/tickets/12/merge',
    '/tickets/12?x=1',
    '/tickets/12#top',
    '/tickets/abc',
    '/tickets/0',
    '/tickets/',
    '/tickets',
    'http://[::1',
  ];
  for (const value of nothing) t.is(referencedId(value, endpoints.ticket, origin), undefined, value);
});

test('values of other types name nothing', (t) => {
  for (const value of [null, undefined, true, {}, [3], { id: 3 }]) {
    t.is(referencedId(value, endpoints.ticket, origin), undefined, JSON.stringify(value));
  }
});
