// Who may do what, cell by cell: for every role, route and method the table says the status, and for answers
// with a body exactly which links and HAL-FORMS templates it offers and which fixtures it embeds. Every cell
// makes its own data, and a refused request must leave that data as it was.
import test, { type ExecutionContext } from 'ava';
import {
  type Actor,
  ANONYMOUS,
  type HalDocument,
  HAL_FORMS,
  actorOf,
  createFaq,
  createTicket,
  embeddedIds,
  linkRels,
  mintToken,
  requester,
  templateNames,
  uniqueWord,
} from '../../helpers/access-fixtures.ts';
import { assertProblem } from '../../helpers/access-problems.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

/** `owner` and `other` are requesters on ticket routes (the ticket's requester, and someone else); `requester` elsewhere. */
type Role = 'anonymous' | 'requester' | 'owner' | 'other' | 'agent' | 'admin';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Shows {
  links: string[];
  templates: string[];
  /** Per embedded relation, the names of the cell's fixtures the caller sees; the cell's other fixtures must be absent. */
  embedded?: Record<string, string[]>;
  /** Whether a token's secret is in the answer. */
  secret?: boolean;
}

type Expectation = number | [number, Shows];

interface CellRequest {
  path: string;
  body?: unknown;
  /** The cell's data by name, with the relation it would be embedded under. */
  fixtures?: Record<string, { rel: string; id: number }>;
  /** Filtered so that it can only show the cell's own data: then nothing else may be embedded at all. */
  isolated?: boolean;
  /** What must read the same, as the admin, before and after a refused request. */
  state: () => Promise<unknown>;
}

interface Row {
  route: string;
  method: Method;
  prepare: (role: Role) => Promise<CellRequest>;
  cells: Partial<Record<Role, Expectation>>;
}

let server: TestServer;
const actors = {} as Record<Role, Actor & { email?: string }>;

test.before(async () => {
  server = await startTestServer();
  const [owner, other, agent, admin] = await Promise.all([
    requester(server, 'owner'),
    requester(server, 'other'),
    actorOf(server, 'agent'),
    actorOf(server, 'admin'),
  ]);
  Object.assign(actors, { anonymous: ANONYMOUS, requester: owner, owner, other, agent, admin });
});
test.after.always(() => server?.close());

const ownerEmail = () => actors.owner.email!;

/** How the admin reads a path: status and body, for comparing before and after. */
async function adminView(path: string): Promise<unknown> {
  const response = await server.fetch(path);
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

const isStaff = (role: Role) => role === 'agent' || role === 'admin';

// ---- Fixtures each cell makes for itself ----

async function aTicket(): Promise<CellRequest> {
  const ticket = await createTicket(server, ownerEmail());
  const path = `/tickets/${ticket.id}`;
  return { path, fixtures: { ticket: { rel: 'tickets', id: ticket.id } }, state: () => adminView(path) };
}

/** A draft with an answer (so it may be published) and a published FAQ, both from a ticket, sharing one word. */
async function twoFaqs(word: string) {
  const ticket = await createTicket(server, ownerEmail(), { title: `Source ticket ${word}` });
  const [draft, published] = await Promise.all([
    createFaq(server, { question: `Is the draft ${word} ready?`, status: 'draft', source: ticket.id }),
    createFaq(server, { question: `Is the published ${word} ready?`, status: 'published', source: ticket.id }),
  ]);
  return { ticket, draft, published };
}

async function anFaq(status: 'draft' | 'published', v1 = false): Promise<CellRequest & { source: number }> {
  const ticket = await createTicket(server, ownerEmail());
  const faq = await createFaq(server, { status, source: ticket.id });
  const path = `${v1 ? '/v1' : ''}/faqs/${faq.id}`;
  return { path, source: ticket.id, state: () => adminView(path) };
}

// ---- What answers show ----

const HOME_PUBLIC = ['faq', 'faqs', 'help', 'search', 'self', 'service-desc', 'service-doc'];
const HOME_SIGNED_IN = [...HOME_PUBLIC, 'ticket', 'tickets'].sort();
const COLLECTION = ['describedby', 'first', 'last', 'self'];

const TICKET_FOR_REQUESTER: Shows = {
  links: ['collection', 'describedby', 'faqs', 'self'],
  templates: ['replace', 'update'],
};
const TICKET_FOR_STAFF: Shows = {
  links: ['collection', 'describedby', 'faqs', 'merge', 'promote', 'self'],
  templates: ['delete', 'merge', 'promote', 'replace', 'update'],
};

const FAQ_LINKS_STAFF = ['collection', 'describedby', 'related', 'self', 'source'];
const FAQ_LINKS_PUBLIC = ['collection', 'describedby', 'related', 'self'];
const DRAFT_FOR_STAFF: Shows = { links: FAQ_LINKS_STAFF, templates: ['delete', 'publish', 'replace', 'update'] };
const PUBLISHED_FOR_STAFF: Shows = { links: FAQ_LINKS_STAFF, templates: ['delete', 'replace', 'update'] };
const PUBLISHED_FOR_PUBLIC: Shows = { links: FAQ_LINKS_PUBLIC, templates: [] };
/** What promoting makes: a draft without an answer, so no publish form yet. */
const PROMOTED_FOR_STAFF: Shows = { links: FAQ_LINKS_STAFF, templates: ['delete', 'replace', 'update'] };

const V1_FAQ_FOR_STAFF: Shows = { links: ['collection', 'self'], templates: ['delete', 'update'] };
const V1_FAQ_FOR_PUBLIC: Shows = { links: ['collection', 'self'], templates: [] };

const TOKEN: Shows = { links: ['collection', 'self'], templates: ['delete'], secret: false };

const IMPORT_JOB: Shows = { links: ['collection', 'rejections', 'self', 'tickets'], templates: [] };

/** A bulk import submitted by the admin, of one ticket titled with `word`; returns the job's id. */
async function anImport(word: string): Promise<number> {
  const response = await server.fetch(
    '/imports',
    json('POST', [{ title: `Imported ${word}`, requester: 'bulk@customers.example' }]),
  );
  if (response.status !== 202) throw new Error(`importing failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: number }).id;
}

// ---- The matrix ----

const ROWS: Row[] = [
  {
    route: '/',
    method: 'GET',
    prepare: async () => ({ path: '/', state: async () => null }),
    cells: {
      anonymous: [200, { links: HOME_PUBLIC, templates: [] }],
      requester: [200, { links: HOME_SIGNED_IN, templates: [] }],
      agent: [200, { links: [...HOME_SIGNED_IN, 'imports'].sort(), templates: [] }],
      admin: [200, { links: [...HOME_SIGNED_IN, 'imports', 'tokens'].sort(), templates: [] }],
    },
  },

  // Tickets: a requester's own, someone else's, and everyone's for staff.
  {
    route: '/tickets',
    method: 'GET',
    prepare: async () => {
      const word = uniqueWord();
      const ticket = await createTicket(server, ownerEmail(), { title: `Broken ${word}` });
      const path = `/tickets?q=${word}`;
      return {
        path,
        isolated: true,
        fixtures: { ticket: { rel: 'tickets', id: ticket.id } },
        state: () => adminView(path),
      };
    },
    cells: {
      anonymous: 401,
      owner: [200, { links: COLLECTION, templates: ['default'], embedded: { tickets: ['ticket'] } }],
      other: [200, { links: COLLECTION, templates: ['default'], embedded: { tickets: [] } }],
      agent: [200, { links: COLLECTION, templates: ['default'], embedded: { tickets: ['ticket'] } }],
      admin: [200, { links: COLLECTION, templates: ['default'], embedded: { tickets: ['ticket'] } }],
    },
  },
  {
    route: '/tickets',
    method: 'POST',
    prepare: async (role) => {
      const word = uniqueWord();
      const title = `Cannot log in ${word}`;
      const body = isStaff(role) ? { title, requester: 'walk-in@customers.example' } : { title };
      return { path: '/tickets', body, state: () => adminView(`/tickets?q=${word}`) };
    },
    cells: {
      anonymous: 401,
      requester: [201, TICKET_FOR_REQUESTER],
      agent: [201, TICKET_FOR_STAFF],
      admin: [201, TICKET_FOR_STAFF],
    },
  },
  {
    route: '/tickets/{id}',
    method: 'GET',
    prepare: aTicket,
    cells: {
      anonymous: 401,
      owner: [200, TICKET_FOR_REQUESTER],
      other: 404,
      agent: [200, TICKET_FOR_STAFF],
      admin: [200, TICKET_FOR_STAFF],
    },
  },
  {
    route: '/tickets/{id}',
    method: 'PUT',
    prepare: async (role) => ({
      ...(await aTicket()),
      body: isStaff(role)
        ? { title: 'Replaced by staff', requester: ownerEmail() }
        : { title: 'Replaced by its requester' },
    }),
    cells: {
      anonymous: 401,
      owner: [200, TICKET_FOR_REQUESTER],
      other: 404,
      agent: [200, TICKET_FOR_STAFF],
      admin: [200, TICKET_FOR_STAFF],
    },
  },
  {
    route: '/tickets/{id}',
    method: 'PATCH',
    prepare: async () => ({ ...(await aTicket()), body: { priority: 'high' } }),
    cells: {
      anonymous: 401,
      owner: [200, TICKET_FOR_REQUESTER],
      other: 404,
      agent: [200, TICKET_FOR_STAFF],
      admin: [200, TICKET_FOR_STAFF],
    },
  },
  {
    route: '/tickets/{id}',
    method: 'DELETE',
    prepare: aTicket,
    cells: { anonymous: 401, owner: 403, other: 404, agent: 204, admin: 204 },
  },
  {
    route: '/tickets/{id}/promote',
    method: 'POST',
    prepare: async () => {
      const request = await aTicket();
      const id = request.fixtures!.ticket!.id;
      // A refused promotion makes no FAQ from the ticket.
      return {
        ...request,
        path: `/tickets/${id}/promote`,
        state: async () => [await request.state(), await adminView(`/faqs?source=${id}`)],
      };
    },
    cells: {
      anonymous: 401,
      owner: 403,
      other: 404,
      agent: [201, PROMOTED_FOR_STAFF],
      admin: [201, PROMOTED_FOR_STAFF],
    },
  },
  {
    route: '/tickets/{id}/merge',
    method: 'POST',
    prepare: async () => {
      const [merged, survivor] = await Promise.all([
        createTicket(server, ownerEmail()),
        createTicket(server, ownerEmail()),
      ]);
      return {
        path: `/tickets/${merged.id}/merge`,
        body: { into: survivor.id },
        state: async () => [await adminView(`/tickets/${merged.id}`), await adminView(`/tickets/${survivor.id}`)],
      };
    },
    cells: { anonymous: 401, owner: 403, other: 404, agent: [200, TICKET_FOR_STAFF], admin: [200, TICKET_FOR_STAFF] },
  },

  // FAQs: drafts only for staff; writing only for staff.
  {
    route: '/faqs',
    method: 'GET',
    prepare: async () => {
      const word = uniqueWord();
      const { draft, published } = await twoFaqs(word);
      const path = `/faqs?q=${word}`;
      const fixtures = { draft: { rel: 'faqs', id: draft.id }, published: { rel: 'faqs', id: published.id } };
      return { path, isolated: true, fixtures, state: () => adminView(path) };
    },
    cells: {
      anonymous: [200, { links: COLLECTION, templates: [], embedded: { faqs: ['published'] } }],
      requester: [200, { links: COLLECTION, templates: [], embedded: { faqs: ['published'] } }],
      agent: [200, { links: COLLECTION, templates: ['default'], embedded: { faqs: ['draft', 'published'] } }],
      admin: [200, { links: COLLECTION, templates: ['default'], embedded: { faqs: ['draft', 'published'] } }],
    },
  },
  {
    route: '/faqs',
    method: 'POST',
    prepare: async () => {
      const word = uniqueWord();
      const ticket = await createTicket(server, ownerEmail());
      const body = { question: `Where is the ${word} button?`, answer: 'Top right.', source: ticket.id };
      return { path: '/faqs', body, state: () => adminView(`/faqs?q=${word}`) };
    },
    cells: { anonymous: 401, requester: 403, agent: [201, DRAFT_FOR_STAFF], admin: [201, DRAFT_FOR_STAFF] },
  },
  ...(['draft', 'published'] as const).flatMap((status): Row[] => {
    const route = `/faqs/{id} (${status})`;
    const forStaff = status === 'draft' ? DRAFT_FOR_STAFF : PUBLISHED_FOR_STAFF;
    const readable = (shows: Shows): Expectation => (status === 'draft' ? 404 : [200, shows]);
    return [
      {
        route,
        method: 'GET',
        prepare: () => anFaq(status),
        cells: {
          anonymous: readable(PUBLISHED_FOR_PUBLIC),
          requester: readable(PUBLISHED_FOR_PUBLIC),
          agent: [200, forStaff],
          admin: [200, forStaff],
        },
      },
      {
        route,
        method: 'PUT',
        prepare: async () => {
          // PUT replaces the whole FAQ, so it names the source again to keep it.
          const faq = await anFaq(status);
          return {
            ...faq,
            body: { question: `Replaced ${uniqueWord()}?`, answer: 'Replaced.', status, source: faq.source },
          };
        },
        cells: { anonymous: 401, requester: 403, agent: [200, forStaff], admin: [200, forStaff] },
      },
      {
        route,
        method: 'PATCH',
        prepare: async () => ({ ...(await anFaq(status)), body: { answer: 'Changed.' } }),
        cells: { anonymous: 401, requester: 403, agent: [200, forStaff], admin: [200, forStaff] },
      },
      {
        route,
        method: 'DELETE',
        prepare: () => anFaq(status),
        cells: { anonymous: 401, requester: 403, agent: 204, admin: 204 },
      },
      {
        route: `/faqs/{id}/publish (${status})`,
        method: 'POST',
        prepare: async () => {
          const faq = await anFaq(status);
          return { ...faq, path: `${faq.path}/publish` };
        },
        cells: { anonymous: 401, requester: 403, agent: [200, PUBLISHED_FOR_STAFF], admin: [200, PUBLISHED_FOR_STAFF] },
      },
    ];
  }),

  // Search shows each caller only what they may see, embedded and counted.
  {
    route: '/search',
    method: 'GET',
    prepare: async () => {
      const word = uniqueWord();
      const { ticket, draft, published } = await twoFaqs(word);
      const fixtures = {
        ticket: { rel: 'tickets', id: ticket.id },
        draft: { rel: 'faqs', id: draft.id },
        published: { rel: 'faqs', id: published.id },
      };
      const path = `/search?q=${word}`;
      return { path, isolated: true, fixtures, state: () => adminView(path) };
    },
    cells: {
      anonymous: [200, { links: ['faqs', 'self'], templates: [], embedded: { tickets: [], faqs: ['published'] } }],
      owner: [
        200,
        { links: ['faqs', 'self', 'tickets'], templates: [], embedded: { tickets: ['ticket'], faqs: ['published'] } },
      ],
      other: [
        200,
        { links: ['faqs', 'self', 'tickets'], templates: [], embedded: { tickets: [], faqs: ['published'] } },
      ],
      agent: [
        200,
        {
          links: ['faqs', 'self', 'tickets'],
          templates: [],
          embedded: { tickets: ['ticket'], faqs: ['draft', 'published'] },
        },
      ],
      admin: [
        200,
        {
          links: ['faqs', 'self', 'tickets'],
          templates: [],
          embedded: { tickets: ['ticket'], faqs: ['draft', 'published'] },
        },
      ],
    },
  },

  // Tokens: admins only.
  {
    route: '/tokens',
    method: 'GET',
    prepare: async () => {
      const [live, revoked] = await Promise.all([mintToken(server, 'agent'), mintToken(server, 'agent')]);
      await server.fetch(`/tokens/${revoked.id}`, { method: 'DELETE' });
      const fixtures = { live: { rel: 'tokens', id: live.id }, revoked: { rel: 'tokens', id: revoked.id } };
      return {
        path: '/tokens?size=100',
        fixtures,
        state: async () => [await adminView(`/tokens/${live.id}`), await adminView(`/tokens/${revoked.id}`)],
      };
    },
    cells: {
      anonymous: 401,
      requester: 403,
      agent: 403,
      admin: [200, { links: ['first', 'last', 'self'], templates: ['default'], embedded: { tokens: ['live'] } }],
    },
  },
  {
    route: '/tokens',
    method: 'POST',
    prepare: async () => {
      const name = `minted-${uniqueWord()}`;
      const named = async () => {
        const list = (await (await server.fetch('/tokens?size=100')).json()) as HalDocument;
        return (list._embedded?.tokens ?? []).filter((token) => token.name === name);
      };
      return { path: '/tokens', body: { name, role: 'agent' }, state: named };
    },
    cells: { anonymous: 401, requester: 403, agent: 403, admin: [201, { ...TOKEN, secret: true }] },
  },
  ...(['GET', 'DELETE'] as const).map((method): Row => ({
    route: '/tokens/{id}',
    method,
    prepare: async () => {
      const { id } = await mintToken(server, 'agent');
      return { path: `/tokens/${id}`, state: () => adminView(`/tokens/${id}`) };
    },
    cells: { anonymous: 401, requester: 403, agent: 403, admin: method === 'GET' ? [200, TOKEN] : 204 },
  })),

  // Bulk imports: agents and admins only.
  {
    route: '/imports',
    method: 'GET',
    prepare: async () => {
      const id = await anImport(uniqueWord());
      // The job moves on its own as the worker runs it: a read has nothing else to leave as it was.
      return { path: '/imports?size=100', fixtures: { job: { rel: 'imports', id } }, state: async () => null };
    },
    cells: {
      anonymous: 401,
      requester: 403,
      agent: [200, { links: ['first', 'last', 'self'], templates: ['default'], embedded: { imports: ['job'] } }],
      admin: [200, { links: ['first', 'last', 'self'], templates: ['default'], embedded: { imports: ['job'] } }],
    },
  },
  {
    route: '/imports',
    method: 'POST',
    prepare: async () => {
      const word = uniqueWord();
      // What a refused import must not have made: a ticket with this word.
      const path = '/imports';
      return {
        path,
        body: [{ title: `Imported ${word}`, requester: 'bulk@customers.example' }],
        state: () => adminView(`/tickets?q=${word}`),
      };
    },
    cells: { anonymous: 401, requester: 403, agent: [202, IMPORT_JOB], admin: [202, IMPORT_JOB] },
  },
  {
    route: '/imports/{id}',
    method: 'GET',
    prepare: async () => {
      const path = `/imports/${await anImport(uniqueWord())}`;
      return { path, state: async () => null };
    },
    cells: { anonymous: 401, requester: 403, agent: [200, IMPORT_JOB], admin: [200, IMPORT_JOB] },
  },
  {
    route: '/imports/{id}/rejections',
    method: 'GET',
    prepare: async () => {
      const path = `/imports/${await anImport(uniqueWord())}/rejections`;
      return { path, state: async () => null };
    },
    cells: {
      anonymous: 401,
      requester: 403,
      agent: [200, { links: ['first', 'last', 'self', 'up'], templates: [] }],
      admin: [200, { links: ['first', 'last', 'self', 'up'], templates: [] }],
    },
  },

  // FAQ contract v1: the same rules over the same data.
  {
    route: '/v1/faqs',
    method: 'GET',
    prepare: async () => {
      const word = uniqueWord();
      const { draft, published } = await twoFaqs(word);
      const path = `/v1/faqs?q=${word}`;
      const fixtures = { draft: { rel: 'faqs', id: draft.id }, published: { rel: 'faqs', id: published.id } };
      return { path, isolated: true, fixtures, state: () => adminView(path) };
    },
    cells: {
      anonymous: [200, { links: ['first', 'last', 'self'], templates: [], embedded: { faqs: ['published'] } }],
      requester: [200, { links: ['first', 'last', 'self'], templates: [], embedded: { faqs: ['published'] } }],
      agent: [
        200,
        { links: ['first', 'last', 'self'], templates: ['default'], embedded: { faqs: ['draft', 'published'] } },
      ],
      admin: [
        200,
        { links: ['first', 'last', 'self'], templates: ['default'], embedded: { faqs: ['draft', 'published'] } },
      ],
    },
  },
  {
    route: '/v1/faqs',
    method: 'POST',
    prepare: async () => {
      const word = uniqueWord();
      return { path: '/v1/faqs', body: { question: `What is ${word}?` }, state: () => adminView(`/v1/faqs?q=${word}`) };
    },
    cells: { anonymous: 401, requester: 403, agent: [201, V1_FAQ_FOR_STAFF], admin: [201, V1_FAQ_FOR_STAFF] },
  },
  ...(['draft', 'published'] as const).flatMap((status): Row[] => {
    const route = `/v1/faqs/{id} (${status})`;
    return [
      {
        route,
        method: 'GET',
        prepare: () => anFaq(status, true),
        cells: {
          anonymous: status === 'draft' ? 404 : [200, V1_FAQ_FOR_PUBLIC],
          requester: status === 'draft' ? 404 : [200, V1_FAQ_FOR_PUBLIC],
          agent: [200, V1_FAQ_FOR_STAFF],
          admin: [200, V1_FAQ_FOR_STAFF],
        },
      },
      {
        route,
        method: 'PATCH',
        prepare: async () => ({ ...(await anFaq(status, true)), body: { answer: 'Changed in v1.' } }),
        cells: { anonymous: 401, requester: 403, agent: [200, V1_FAQ_FOR_STAFF], admin: [200, V1_FAQ_FOR_STAFF] },
      },
      {
        route,
        method: 'DELETE',
        prepare: () => anFaq(status, true),
        cells: { anonymous: 401, requester: 403, agent: 204, admin: 204 },
      },
    ];
  }),
];

const LABELS: Record<Role, string> = {
  anonymous: 'anonymous',
  requester: 'a requester',
  owner: "the ticket's requester",
  other: 'another requester',
  agent: 'an agent',
  admin: 'an admin',
};

function checkShows(t: ExecutionContext, document: HalDocument, shows: Shows, request: CellRequest): void {
  t.deepEqual(linkRels(document), [...shows.links].sort(), 'links');
  t.deepEqual(templateNames(document), [...shows.templates].sort(), 'templates');
  if (shows.secret !== undefined) t.is(typeof document.secret === 'string', shows.secret, 'secret');
  for (const [rel, names] of Object.entries(shows.embedded ?? {})) {
    const embedded = embeddedIds(document, rel);
    const fixtures = Object.entries(request.fixtures ?? {}).filter(([, fixture]) => fixture.rel === rel);
    for (const [name, { id }] of fixtures)
      t.is(embedded.includes(id), names.includes(name), `${name} embedded under ${rel}`);
    if (request.isolated)
      t.deepEqual(
        [...embedded].sort(),
        fixtures
          .filter(([name]) => names.includes(name))
          .map(([, f]) => f.id)
          .sort(),
        `only the fixtures under ${rel}`,
      );
  }
}

for (const row of ROWS) {
  for (const [role, expectation] of Object.entries(row.cells) as [Role, Expectation][]) {
    const [status, shows] = typeof expectation === 'number' ? [expectation, undefined] : expectation;
    test(`${LABELS[role]}: ${row.method} ${row.route} is ${status}`, async (t) => {
      const request = await row.prepare(role);
      const before = await request.state();
      const headers: Record<string, string> = {
        Accept: HAL_FORMS,
        Authorization: actors[role].token === null ? '' : `Bearer ${actors[role].token}`,
      };
      const init =
        request.body === undefined ? { method: row.method, headers } : json(row.method, request.body, headers);
      const response = await server.fetch(request.path, init);
      if (status >= 400) {
        await assertProblem(t, response, status);
        if (status === 401) t.regex(response.headers.get('www-authenticate') ?? '', /^Bearer\b/);
        t.deepEqual(await request.state(), before, 'a refused request changes nothing');
        return;
      }
      t.is(response.status, status, row.route);
      if (shows) checkShows(t, (await response.json()) as HalDocument, shows, request);
      else t.is(await response.text(), '');
    });
  }
}
