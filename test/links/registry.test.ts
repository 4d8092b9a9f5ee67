// The template registry: what clients see, how hrefs are expanded, and which paths belong to an endpoint.
import test from 'ava';
import parseTemplate from 'uri-templates';
import { endpoints } from '../../src/links/registry.ts';

test('collection templates advertise their public variables, not the page cursors', (t) => {
  t.is(endpoints.tickets.template, '/tickets{?page,size,status,q,import}');
  t.is(endpoints.faqs.template, '/faqs{?page,size,status,q,source}');
  t.is(endpoints.search.template, '/search{?q}');
  t.false(endpoints.home.templated);
  t.true(endpoints.ticket.templated);
});

test('href leaves out unset and empty variables, so a bare collection is its path', (t) => {
  t.is(endpoints.tickets.href(), '/tickets');
  t.is(endpoints.tickets.href({ page: undefined, status: '' }), '/tickets');
  t.is(endpoints.tickets.href({ page: 2, size: 5, status: 'open' }), '/tickets?page=2&size=5&status=open');
});

test('href carries the hidden cursors the server puts in its own links', (t) => {
  t.is(endpoints.tickets.href({ page: 3, size: 5, after: 10 }), '/tickets?page=3&size=5&after=10');
});

test('href encodes reserved characters in values', (t) => {
  t.is(endpoints.ticket.href({ id: 'a/b' }), '/tickets/a%2Fb');
  t.is(endpoints.tickets.href({ q: 'a&b c' }), '/tickets?q=a%26b%20c');
});

test('a path href is what RFC 6570 expansion of its template gives, whatever the values', (t) => {
  const values = [7, 0, -3, 1e21, 1.5, 'abc', 'A_b~c.d-e', 'a b', 'x!y', "it's", 'caf\u00e9', '%41', ''];
  for (const endpoint of Object.values(endpoints)) {
    const names = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
    const template = parseTemplate(endpoint.path);
    for (const value of values) {
      const given = Object.fromEntries(names.map((name) => [name, value]));
      const filled = Object.fromEntries(names.map((name) => [name, String(value)]).filter(([, v]) => v !== ''));
      t.is(endpoint.href(given), template.fill(filled), `${endpoint.path} with ${String(value)}`);
    }
  }
  t.is(endpoints.ticket.href({ id: 12 }), '/tickets/12');
  t.is(endpoints.faqs.href({ source: 12 }), '/faqs?source=12');
  t.is(endpoints.importRejection.href({ id: 3, row: 40 }), '/imports/3/rejections/40');
});

test('a query href is what RFC 6570 expansion of its whole template gives, whatever the values and their order', (t) => {
  const values = [2, 'open', 'a b', 'x!y', '', undefined, 'caf\u00e9'];
  for (const endpoint of Object.values(endpoints).filter((e) => e.query.length + e.hiddenQuery.length > 0)) {
    const template = parseTemplate(`${endpoint.path}{?${[...endpoint.query, ...endpoint.hiddenQuery].join(',')}}`);
    const names = [...endpoint.query, ...endpoint.hiddenQuery].reverse();
    for (const [i, value] of values.entries()) {
      // Some variables set, in an order other than the template's, and one the template lacks.
      const given = Object.fromEntries(names.filter((_, n) => (n + i) % 2 === 0).map((name) => [name, value]));
      for (const extra of [{}, { page: 3 }, { unknown: 1 }]) {
        const all: Record<string, string | number | undefined> = { ...given, ...extra };
        const filled = Object.fromEntries(
          Object.entries(all).flatMap(([name, v]) => (v === undefined || v === '' ? [] : [[name, String(v)]])),
        );
        t.is(endpoint.href(all), template.fill(filled), `${endpoint.path} with ${JSON.stringify(all)}`);
      }
    }
  }
});

test('match gives the variables of a path of the endpoint, and nothing for other paths', (t) => {
  t.deepEqual(endpoints.ticket.match('/tickets/7'), { id: '7' });
  t.is(endpoints.ticket.match('/tickets/7/merge'), undefined);
  t.is(endpoints.ticket.match('/faqs/7'), undefined);
});

test('route paths use the router syntax of the same templates', (t) => {
  t.is(endpoints.ticket.routePath, '/tickets/:id');
  t.is(endpoints.ticketPromote.routePath, '/tickets/:id/promote');
  t.is(endpoints.tickets.routePath, '/tickets');
});
