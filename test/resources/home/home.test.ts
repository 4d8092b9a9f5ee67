import test from 'ava';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

test('the home document links every entry point, templated where it has variables', async (t) => {
  const response = await server.fetch('/');
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/hal+json');
  t.truthy(response.headers.get('etag'));
  const home = (await response.json()) as { _links: Record<string, { href: string; templated?: boolean }> };
  t.deepEqual(home._links.self, { href: '/' });
  t.is(home._links.ticket?.href, '/tickets/{id}');
  t.true(home._links.ticket?.templated);
  t.regex(home._links.tickets!.href, /^\/tickets\{\?page,size,status,q/);
  t.regex(home._links.faqs!.href, /^\/faqs\{\?page,size,status,q/);
  t.is(home._links.faq?.href, '/faqs/{id}');
  t.is(home._links.search?.href, '/search{?q}');
  for (const link of Object.values(home._links)) t.is(link.templated === true, link.href.includes('{'));
});
