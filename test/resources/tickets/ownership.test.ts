// Requesters see and change only their own tickets: someone else's ticket must be indistinguishable from one
// that never existed, on every route, in every list, search result, embedded resource and link. Anonymous
// callers and requesters never see drafts, nor which ticket an FAQ came from. The tests that add tickets run
// first, one at a time, so that the others count a settled set.
import test from 'ava';
import {
  type Actor,
  ANONYMOUS,
  type Faq,
  type HalDocument,
  type Ticket,
  actorOf,
  createFaq,
  createTicket,
  embeddedIds,
  requester,
  uniqueWord,
} from '../../helpers/access-fixtures.ts';
import { type ProblemBody, assertProblem } from '../../helpers/access-problems.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
let alice: Actor & { email: string };
let bob: Actor & { email: string };
let agent: Actor;
/** One word in every ticket and FAQ of this file, so one search finds them all. */
const word = uniqueWord();
const aliceTickets: Ticket[] = [];
let bobTicket: Ticket;
let staffTicket: Ticket;
let draft: Faq;
let published: Faq;
let alsoPublished: Faq;

const as = (actor: Actor) => server.as(actor.token);
const read = async <T = HalDocument>(actor: Actor, path: string): Promise<T> => {
  const response = await as(actor).fetch(path);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

async function report(actor: Actor, title: string): Promise<Ticket> {
  const response = await as(actor).fetch('/tickets', json('POST', { title: `${title} ${word}` }));
  if (response.status !== 201) throw new Error(`reporting failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Ticket;
}

test.before(async () => {
  server = await startTestServer();
  [alice, bob, agent] = await Promise.all([
    requester(server, 'alice'),
    requester(server, 'bob'),
    actorOf(server, 'agent'),
  ]);
  aliceTickets.push(await report(alice, 'Alice cannot print'), await report(alice, 'Alice cannot scan'));
  bobTicket = await report(bob, 'Bob cannot print');
  staffTicket = await createTicket(server, 'carol@customers.example', { title: `Carol cannot print ${word}` });
  draft = await createFaq(server, {
    question: `Why does the draft ${word} fail?`,
    status: 'draft',
    source: aliceTickets[0]!.id,
  });
  alsoPublished = await createFaq(server, { question: `Why does scanning ${word} fail?`, status: 'published' });
  published = await createFaq(server, {
    question: `Why does printing ${word} fail?`,
    status: 'published',
    source: aliceTickets[0]!.id,
    related: [draft.id, alsoPublished.id],
  });
});
test.after.always(() => server?.close());

/** A problem with the ticket's id written as `{id}`, to compare a hidden ticket with one that never existed. */
function withoutId(problem: ProblemBody, id: number): unknown {
  const blank = (text: string | undefined) => text?.replace(new RegExp(`\\b${id}\\b`, 'g'), '{id}');
  // The instance is an absolute URI: the id is blanked in its path only (127.0.0.1 may hold the same digits).
  const origin = /^https?:\/\/[^/]+/.exec(problem.instance ?? '')?.[0] ?? '';
  return {
    ...problem,
    detail: blank(problem.detail),
    instance: problem.instance && origin + blank(problem.instance.slice(origin.length)),
  };
}

test.serial("a requester's new ticket has their token's email as its requester", async (t) => {
  const ticket = await report(alice, 'Alice cannot log in');
  t.is(ticket.requester, alice.email);
  t.is(((await (await server.fetch(`/tickets/${ticket.id}`)).json()) as Ticket).requester, alice.email);
});

const ATTEMPTS: { name: string; path: (id: number) => string; init: () => RequestInit }[] = [
  { name: 'GET', path: (id) => `/tickets/${id}`, init: () => ({}) },
  {
    name: 'GET as HAL-FORMS',
    path: (id) => `/tickets/${id}`,
    init: () => ({ headers: { Accept: 'application/prs.hal-forms+json' } }),
  },
  { name: 'PUT', path: (id) => `/tickets/${id}`, init: () => json('PUT', { title: 'Taken over' }) },
  {
    name: 'PUT with If-Match',
    path: (id) => `/tickets/${id}`,
    init: () => json('PUT', { title: 'Taken over' }, { 'If-Match': '"v1"' }),
  },
  { name: 'PATCH', path: (id) => `/tickets/${id}`, init: () => json('PATCH', { status: 'closed' }) },
  {
    name: 'PATCH with a stale If-Match',
    path: (id) => `/tickets/${id}`,
    init: () => json('PATCH', { status: 'closed' }, { 'If-Match': '"v99"' }),
  },
  { name: 'DELETE', path: (id) => `/tickets/${id}`, init: () => ({ method: 'DELETE' }) },
  { name: 'promote', path: (id) => `/tickets/${id}/promote`, init: () => ({ method: 'POST' }) },
  { name: 'merge', path: (id) => `/tickets/${id}/merge`, init: () => json('POST', { into: bobTicket.id }) },
];

for (const attempt of ATTEMPTS) {
  test(`another requester's ${attempt.name} of a ticket is a 404 exactly like a ticket that never existed, and changes nothing`, async (t) => {
    const target = aliceTickets[0]!;
    const ghost = 900_000 + target.id;
    const before = await (await server.fetch(`/tickets/${target.id}`)).json();
    const hidden = await as(bob).fetch(attempt.path(target.id), attempt.init());
    const never = await as(bob).fetch(attempt.path(ghost), attempt.init());
    t.is(hidden.headers.get('content-type'), never.headers.get('content-type'));
    const [hiddenProblem, neverProblem] = [await assertProblem(t, hidden, 404), await assertProblem(t, never, 404)];
    t.deepEqual(withoutId(hiddenProblem, target.id), withoutId(neverProblem, ghost));
    t.deepEqual(await (await server.fetch(`/tickets/${target.id}`)).json(), before);
  });
}

test.serial(
  "another requester's deleted or merged ticket is a 404 to them, while its own requester sees 410 and 301",
  async (t) => {
    const [deleted, merged] = [await report(alice, 'Alice deleted this'), await report(alice, 'Alice merged this')];
    t.is((await as(agent).fetch(`/tickets/${deleted.id}`, { method: 'DELETE' })).status, 204);
    t.is(
      (await as(agent).fetch(`/tickets/${merged.id}/merge`, json('POST', { into: aliceTickets[1]!.id }))).status,
      200,
    );

    t.is((await as(alice).fetch(`/tickets/${deleted.id}`)).status, 410);
    const redirect = await as(alice).fetch(`/tickets/${merged.id}`);
    t.is(redirect.status, 301);
    t.is(redirect.headers.get('location'), server.at(`/tickets/${aliceTickets[1]!.id}`));

    for (const ticket of [deleted, merged]) {
      const ghost = 900_000 + ticket.id;
      const hidden = await assertProblem(t, await as(bob).fetch(`/tickets/${ticket.id}`), 404);
      const never = await assertProblem(t, await as(bob).fetch(`/tickets/${ghost}`), 404);
      t.deepEqual(withoutId(hidden, ticket.id), withoutId(never, ghost));
    }
  },
);

/** Every item of a collection, following `next` from the first page. */
async function everyItem(actor: Actor, path: string, rel: string): Promise<{ ids: number[]; totals: number[] }> {
  const ids: number[] = [];
  const totals: number[] = [];
  let next: string | undefined = path;
  while (next) {
    const page: HalDocument = await read(actor, next);
    ids.push(...embeddedIds(page, rel));
    totals.push((page.page as { totalElements: number }).totalElements);
    next = (page._links.next as { href: string } | undefined)?.href;
  }
  return { ids, totals };
}

test('the ticket collection shows a requester only their own tickets, on every page and in every count', async (t) => {
  const [mine, theirs, everyone] = await Promise.all([
    everyItem(alice, '/tickets?size=1', 'tickets'),
    everyItem(bob, '/tickets?size=1', 'tickets'),
    everyItem(agent, '/tickets?size=100', 'tickets'),
  ]);
  const owned = async (ids: number[]) =>
    Promise.all(ids.map(async (id) => ((await (await server.fetch(`/tickets/${id}`)).json()) as Ticket).requester));
  t.true(mine.ids.length >= 2);
  t.deepEqual(new Set(await owned(mine.ids)), new Set([alice.email]));
  t.deepEqual(new Set(mine.totals), new Set([mine.ids.length]));
  t.deepEqual(theirs.ids, [bobTicket.id]);
  t.deepEqual(new Set(theirs.totals), new Set([1]));
  t.true(everyone.ids.includes(staffTicket.id) && everyone.ids.includes(bobTicket.id));
  for (const id of aliceTickets.map((ticket) => ticket.id)) t.false(theirs.ids.includes(id));
});

test('search never shows a requester anyone else’s tickets, embedded or counted', async (t) => {
  type Results = HalDocument & { matches: { tickets: number; faqs: number } };
  const bobs: Results = await read(bob, `/search?q=${word}`);
  t.deepEqual(embeddedIds(bobs, 'tickets'), [bobTicket.id]);
  t.is(bobs.matches.tickets, 1);
  const alices: Results = await read(alice, `/search?q=${word}`);
  t.true(embeddedIds(alices, 'tickets').every((id) => id !== bobTicket.id && id !== staffTicket.id));
  t.is(alices.matches.tickets, embeddedIds(alices, 'tickets').length);
  const agents: Results = await read(agent, `/search?q=${word}`);
  t.true(agents.matches.tickets > alices.matches.tickets + 1);
  // The linked full list agrees with the search.
  const list: HalDocument = await read(bob, (bobs._links.tickets as { href: string }).href);
  t.deepEqual(embeddedIds(list, 'tickets'), [bobTicket.id]);
});

test("nothing a requester reads names another requester's ticket, in links, embedded resources or fields", async (t) => {
  const paths = [
    '/',
    '/tickets',
    `/tickets/${bobTicket.id}`,
    `/search?q=${word}`,
    '/faqs?size=100',
    `/faqs/${published.id}`,
    `/v1/faqs/${published.id}`,
  ];
  const hidden = [...aliceTickets, staffTicket].map((ticket) => ticket.id);
  for (const path of paths) {
    for (const accept of ['application/hal+json', 'application/prs.hal-forms+json']) {
      const response = await as(bob).fetch(path, { headers: { Accept: accept } });
      t.is(response.status, 200, path);
      const text = await response.text();
      for (const id of hidden) t.notRegex(text, new RegExp(`/tickets/${id}\\b`), `${path} names ticket ${id}`);
      t.false(text.includes(alice.email), `${path} names Alice`);
    }
  }
});

test('anonymous callers and requesters never see a draft: not by id, not listed, not searched, not as related', async (t) => {
  for (const actor of [ANONYMOUS, alice, bob]) {
    await assertProblem(t, await as(actor).fetch(`/faqs/${draft.id}`), 404);
    await assertProblem(t, await as(actor).fetch(`/v1/faqs/${draft.id}`), 404);
    const all: HalDocument = await read(actor, '/faqs?size=100');
    t.true(all._embedded!.faqs!.every((faq) => faq.status === 'published'));
    t.false(embeddedIds(all, 'faqs').includes(draft.id));
    const drafts: HalDocument = await read(actor, '/faqs?status=draft');
    t.deepEqual(embeddedIds(drafts, 'faqs'), []);
    t.is((drafts.page as { totalElements: number }).totalElements, 0);
    const v1Drafts: HalDocument = await read(actor, '/v1/faqs?status=draft');
    t.deepEqual(embeddedIds(v1Drafts, 'faqs'), []);
    const results: HalDocument & { matches: { faqs: number } } = await read(actor, `/search?q=${word}`);
    t.deepEqual(embeddedIds(results, 'faqs').sort(), [published.id, alsoPublished.id].sort());
    t.is(results.matches.faqs, 2);
    const faq: Faq = await read(actor, `/faqs/${published.id}`);
    t.deepEqual(faq.related, [server.at(`/faqs/${alsoPublished.id}`)]);
    t.deepEqual(faq._links.related, [{ href: server.at(`/faqs/${alsoPublished.id}`) }]);
  }
  // Staff see the draft where it is.
  const faq: Faq = await read(agent, `/faqs/${published.id}`);
  t.deepEqual(faq.related, [server.at(`/faqs/${draft.id}`), server.at(`/faqs/${alsoPublished.id}`)]);
});

test('which ticket an FAQ came from is hidden from anonymous callers and requesters, even its own requester', async (t) => {
  for (const actor of [ANONYMOUS, alice, bob]) {
    const faq: Faq = await read(actor, `/faqs/${published.id}`);
    t.is(faq.source, null);
    t.is(faq._links.source, undefined);
    const listed: HalDocument = await read(actor, `/faqs?q=${word}`);
    const searched: HalDocument = await read(actor, `/search?q=${word}`);
    for (const item of [...listed._embedded!.faqs!, ...searched._embedded!.faqs!]) {
      t.is(item.source, null);
      t.is(item._links.source, undefined);
    }
    t.is((await read<{ source: unknown }>(actor, `/v1/faqs/${published.id}`)).source, null);
  }
  const faq: Faq = await read(agent, `/faqs/${published.id}`);
  t.is(faq.source, server.at(`/tickets/${aliceTickets[0]!.id}`));
  t.is((faq._links.source as { href: string }).href, server.at(`/tickets/${aliceTickets[0]!.id}`));
  t.is((await read<{ source: unknown }>(agent, `/v1/faqs/${published.id}`)).source, aliceTickets[0]!.id);
});
