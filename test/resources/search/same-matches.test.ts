// The same data gives the same matches on either engine (FTS5 on SQLite, tsvector on PostgreSQL): this file runs
// in both passes with the same expectations. Rank order may differ between the engines; which rows match may not.
import test from 'ava';
import { json, type TestServer, startTestServer } from '../../helpers/server.ts';

type Named = { id: number; title?: string; question?: string };
type Collection = { page: { totalElements: number }; _embedded: Record<string, Named[]> };

const TICKETS = {
  cafe: {
    title: 'Café printer jams',
    description: 'The printer in the café on floor 2 jams on A4 paper.',
    tags: ['hardware', 'printer'],
  },
  vpn: {
    title: 'VPN drops every hour',
    description: 'Contact alice@example.com; client v1.2 on macOS.',
    tags: ['network', 'vpn'],
  },
  bounce: { title: 'E-mail bounces', description: 'Mails to Müller GmbH bounce with 550.', tags: ['email'] },
  mailing: { title: 'Рассылка не работает', description: 'Письма не доходят до клиентов.', tags: [] },
  tokyo: { title: '東京オフィスのWi-Fi', description: '', tags: [] },
  resume: { title: 'Naïve résumé parser', description: 'Uploads fail on the straße field.', tags: [] },
  toner: { title: 'Printer toner empty', description: 'Deleted before anyone looked.', tags: [] },
  offline: { title: 'Printer offline', description: 'The same as the café printer: merged into it.', tags: [] },
} as const;

const FAQS = {
  password: {
    question: 'How do I reset my password?',
    answer: 'Use the “Forgot password” link; codes expire after 15 minutes.',
    status: 'published',
  },
  address: {
    question: 'Wie ändere ich meine E-Mail-Adresse?',
    answer: 'Unter Einstellungen → Konto.',
    status: 'published',
  },
  invoice: { question: 'Où est la facture ?', answer: null, status: 'draft' },
  policy: { question: 'Password policy', answer: 'Twelve characters or more.', status: 'published' },
} as const;

type TicketName = keyof typeof TICKETS;
type FaqName = keyof typeof FAQS;

/** Free text and the live tickets it must match, by name: case, diacritics, prefixes, punctuation, other scripts. */
const TICKET_QUERIES: [string, TicketName[]][] = [
  ['cafe', ['cafe']],
  ['CAFÉ', ['cafe']],
  ['print', ['cafe']], // prefixes; the deleted and the merged printer tickets are not live
  ['printer jams', ['cafe']], // every word is required
  ['printer vpn', []],
  ['hardware', ['cafe']], // tags are searched
  ['example', ['vpn']], // an e-mail address is words, not one token
  ['alice@example.com', ['vpn']],
  ['v1', ['vpn']],
  ['e-mail', ['bounce']],
  ['muller', ['bounce']],
  ['MÜLLER', ['bounce']],
  ['naive resume', ['resume']],
  ['straße', ['resume']],
  ['strasse', []], // ß is a letter of its own on both engines
  ['рассыл', ['mailing']],
  ['РАССЫЛКА', ['mailing']],
  ['письма', ['mailing']],
  ['東京', ['tokyo']], // a run of CJK letters (and the Latin letters joined to it) is one word
  ['オフィス', []], // so only its start is a prefix
  ['fi', ['resume', 'tokyo']], // "field", and "Fi" after the hyphen
  ['550', ['bounce']],
  ['?!', []], // no words at all: nothing, not an error
];

const FAQ_QUERIES: [string, FaqName[]][] = [
  ['pass', ['password']], // the deleted password policy is not found
  ['password reset', ['password']],
  ['forgot', ['password']], // typographic quotes split words
  ['andere', ['address']],
  ['mail adresse', ['address']],
  ['einstellung', ['address']],
  ['ou', ['invoice']],
  ['FACTURE', ['invoice']],
  ['konto', ['address']],
  ['15', ['password']],
  ['—', []],
];

let server: TestServer;
const ticketIds = new Map<TicketName, number>();
const faqIds = new Map<FaqName, number>();

async function created(path: string, body: unknown): Promise<number> {
  const response = await server.fetch(path, json('POST', body));
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: number }).id;
}

test.before(async () => {
  server = await startTestServer();
  for (const [name, fields] of Object.entries(TICKETS) as [TicketName, (typeof TICKETS)[TicketName]][]) {
    ticketIds.set(
      name,
      await created('/tickets', { ...fields, tags: [...fields.tags], requester: 'customer@example.com' }),
    );
  }
  for (const [name, fields] of Object.entries(FAQS) as [FaqName, (typeof FAQS)[FaqName]][]) {
    faqIds.set(name, await created('/faqs', fields));
  }
  const toner = await server.fetch(`/tickets/${ticketIds.get('toner')}`, { method: 'DELETE' });
  const merged = await server.fetch(
    `/tickets/${ticketIds.get('offline')}/merge`,
    json('POST', { into: ticketIds.get('cafe') }),
  );
  const policy = await server.fetch(`/faqs/${faqIds.get('policy')}`, { method: 'DELETE' });
  if (toner.status !== 204 || merged.status !== 200 || policy.status !== 204) throw new Error('seeding failed');
});
test.after.always(() => server?.close());

const names = <N extends string>(ids: Map<N, number>, found: Named[]) =>
  found.map((item) => [...ids].find(([, id]) => id === item.id)?.[0] ?? `#${item.id}`).sort();

for (const [q, expected] of TICKET_QUERIES) {
  test(`tickets matching ${JSON.stringify(q)} are exactly ${JSON.stringify(expected)}`, async (t) => {
    const response = await server.fetch(`/tickets?q=${encodeURIComponent(q)}&size=100`);
    t.is(response.status, 200);
    const listing = (await response.json()) as Collection;
    t.deepEqual(names(ticketIds, listing._embedded.tickets!), [...expected].sort());
    t.is(listing.page.totalElements, expected.length);
  });
}

for (const [q, expected] of FAQ_QUERIES) {
  test(`FAQs matching ${JSON.stringify(q)} are exactly ${JSON.stringify(expected)}`, async (t) => {
    const response = await server.fetch(`/faqs?q=${encodeURIComponent(q)}&size=100`);
    t.is(response.status, 200);
    const listing = (await response.json()) as Collection;
    t.deepEqual(names(faqIds, listing._embedded.faqs!), [...expected].sort());
    t.is(listing.page.totalElements, expected.length);
  });
}

test('search embeds the same best matches as the listings find, with their counts', async (t) => {
  for (const q of ['printer', 'mail', 'pass', 'ou']) {
    const response = await server.fetch(`/search?q=${encodeURIComponent(q)}`);
    t.is(response.status, 200, q);
    const results = (await response.json()) as {
      matches: { tickets: number; faqs: number };
      _embedded: { tickets: Named[]; faqs: Named[] };
    };
    const tickets = ((await (await server.fetch(`/tickets?q=${encodeURIComponent(q)}&size=100`)).json()) as Collection)
      ._embedded.tickets!;
    const faqs = ((await (await server.fetch(`/faqs?q=${encodeURIComponent(q)}&size=100`)).json()) as Collection)
      ._embedded.faqs!;
    t.deepEqual(names(ticketIds, results._embedded.tickets), names(ticketIds, tickets), q);
    t.deepEqual(names(faqIds, results._embedded.faqs), names(faqIds, faqs), q);
    t.deepEqual(results.matches, { tickets: tickets.length, faqs: faqs.length }, q);
  }
});
