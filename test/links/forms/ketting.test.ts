// Ketting 8, a hypermedia client written by others, used unchanged: it starts at the root, follows relations
// and submits HAL-FORMS templates as it reads them (target, method, content type, fields). Ketting fills every
// field the caller leaves out from the template's own values, and a choice's value is `selectedValues` as is
// (a list), so these walks also prove that a form's values are accepted back.
import test from 'ava';
import { Client, bearerAuth } from 'ketting';
import type { HalDocument } from '../../helpers/hypermedia.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

/** A Ketting client at the root, as a caller with this token. */
function ketting(token: string): Client {
  const client = new Client(new URL('/', server.url).href);
  client.use(bearerAuth(token));
  return client;
}

/** The resource as the server now has it (plain HAL, through our own fetch, not Ketting's cache). */
async function stored(href: string): Promise<HalDocument> {
  const response = await server.fetch(href);
  if (response.status !== 200) throw new Error(`GET ${href}: ${response.status}`);
  return (await response.json()) as HalDocument;
}

let count = 0;
const uniqueTitle = (what: string) => `Ketting ${what} ${++count}`;

test('Ketting reports a ticket, changes one field, promotes it and merges another into it, only through templates', async (t) => {
  const client = ketting(await server.mint('agent'));
  const tickets = await client.go().follow('tickets');
  const collection = await tickets.get();

  const title = uniqueTitle('report');
  const created = await collection.action('default').submit({ title, requester: 'ketting@customers.example' });
  const location = created.headers.get('Location');
  if (location === null) return t.fail('the create answered without Location');
  const ticketUri = new URL(location, created.uri).href;
  const before = await stored(ticketUri);
  t.is(before.title, title);
  t.is(before.status, 'open');

  // Only priority is given: Ketting fills the rest from the form (status as ["open"], tags as text).
  const ticket = client.go(ticketUri);
  const update = (await ticket.get()).action('update');
  t.is(update.contentType, 'application/json');
  await update.submit({ priority: 'urgent' });
  const after = await stored(ticketUri);
  t.is(after.priority, 'urgent');
  for (const unchanged of ['title', 'status', 'requester', 'description', 'tags', 'assignee'])
    t.deepEqual(after[unchanged], before[unchanged], unchanged);

  const promoted = await (await ticket.refresh()).action('promote').submit({});
  const faqLocation = promoted.headers.get('Location');
  if (faqLocation === null) return t.fail('promote answered without Location');
  const faq = await stored(new URL(faqLocation, promoted.uri).href);
  t.is(faq.question, title);
  t.is(faq.status, 'draft');

  const otherUri = new URL(
    (
      await collection
        .action('default')
        .submit({ title: uniqueTitle('duplicate'), requester: 'ketting@customers.example' })
    ).headers.get('Location')!,
    created.uri,
  ).href;
  const other = client.go(otherUri);
  await (await other.get()).action('merge').submit({ into: before.id });
  const merged = await server.fetch(otherUri);
  t.is(merged.status, 301);
  t.is(new URL(merged.headers.get('Location')!, server.url).pathname, new URL(ticketUri).pathname);
});

test('every template a caller is offered accepts its own values back, as Ketting sends them', async (t) => {
  const requesterEmail = `ketting-${++count}@customers.example`;
  const tokens = {
    admin: server.adminToken,
    agent: await server.mint('agent'),
    requester: await server.mint('requester', undefined, requesterEmail),
  };
  const ticketBody = {
    title: uniqueTitle('values'),
    requester: requesterEmail,
    tags: ['vip', 'billing'],
    assignee: 'ann',
  };
  const ticketHref = (await server.fetch('/tickets', json('POST', ticketBody))).headers.get('Location')!;
  const faqHref = (
    await server.fetch('/faqs', json('POST', { question: `${uniqueTitle('question')}?`, answer: 'Yes.' }))
  ).headers.get('Location')!;
  const relatedHref = (
    await server.fetch('/faqs', json('POST', { question: `${uniqueTitle('related')}?` }))
  ).headers.get('Location')!;
  const linked = await server.fetch(faqHref, json('PATCH', { related: [relatedHref], source: ticketHref }));
  t.is(linked.status, 200, await linked.clone().text());

  // Actions with no body of their own, or that change what others hold, are not "values sent back".
  const sendsValues = new Set(['update', 'replace']);
  let submitted = 0;
  for (const [role, token] of Object.entries(tokens)) {
    const client = ketting(token);
    for (const href of [ticketHref, faqHref]) {
      const response = await server.as(token).fetch(href);
      if (response.status !== 200) continue; // a requester sees no FAQ drafts
      const resource = client.go(new URL(href, server.url).href);
      const state = await resource.get();
      const before = await stored(href);
      for (const action of state.actions().filter((a) => sendsValues.has(a.name!))) {
        await t.notThrowsAsync(() => action.submit({}), `${role}: ${action.name} of ${href}`);
        const after = await stored(href);
        for (const [name, value] of Object.entries(before)) {
          if (!['_links', 'updatedAt'].includes(name))
            t.deepEqual(after[name], value, `${role}: ${action.name} of ${href} kept ${name}`);
        }
        submitted += 1;
        await resource.refresh();
      }
    }
  }
  t.true(submitted >= 6, `submitted ${submitted} templates`);
});

test('a one-element list for a single-choice field is its value; longer lists and lists for free text are refused', async (t) => {
  const href = (
    await server.fetch('/tickets', json('POST', { title: uniqueTitle('lists'), requester: 'lists@customers.example' }))
  ).headers.get('Location')!;
  const one = await server.fetch(href, json('PATCH', { status: ['pending'], priority: ['high'] }));
  t.is(one.status, 200, await one.clone().text());
  const changed = await stored(href);
  t.is(changed.status, 'pending');
  t.is(changed.priority, 'high');

  for (const [body, pointer] of [
    [{ status: ['open', 'solved'] }, '#/status'],
    [{ status: [] }, '#/status'],
    [{ title: ['A list is no title'] }, '#/title'],
  ] as const) {
    const refused = await server.fetch(href, json('PATCH', body));
    t.is(refused.status, 400, JSON.stringify(body));
    const problem = (await refused.json()) as { errors: { pointer: string }[] };
    t.true(
      problem.errors.some((e) => e.pointer === pointer),
      JSON.stringify(problem.errors),
    );
  }
  const unchanged = await stored(href);
  t.deepEqual({ ...unchanged, _links: undefined }, { ...changed, _links: undefined });

  // Merge's `into` offers other tickets as choices: a client that keeps selections as lists sends one.
  const survivor = await stored(
    (
      await server.fetch(
        '/tickets',
        json('POST', { title: uniqueTitle('survivor'), requester: 'lists@customers.example' }),
      )
    ).headers.get('Location')!,
  );
  const mergeLink = (await stored(href))._links.merge as { href: string };
  const merged = await server.fetch(mergeLink.href, json('POST', { into: [String(survivor.id)] }));
  t.true(merged.status < 300, `${merged.status} ${await merged.clone().text()}`);
  t.is((await server.fetch(href)).status, 301);
});
