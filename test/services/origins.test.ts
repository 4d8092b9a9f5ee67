// Absolute addresses across the shapes the API runs in: the two services (each writes its own origin, and the
// ticket URIs the FAQ service keeps are the ticket service's), and a server mounted under BASE_PATH. A forged
// Host never reaches what the FAQ service stores.
import test from 'ava';
import { crawlAddresses, rawRequest, strays } from '../helpers/addresses.ts';
import { HAL_FORMS, type HalDocument, linkOf } from '../helpers/hypermedia.ts';
import { spawnServerWithDatabase } from '../helpers/process.ts';
import { type SplitSystem, report, startSplitSystem } from '../helpers/services.ts';
import { Walker } from '../helpers/walker.ts';

const EVIL = 'evil.example';

let system: SplitSystem;
test.before(async () => {
  system = await startSplitSystem();
});
test.after.always(() => system.close());

test.serial('a promote naming a forged host is 421, and the FAQ service keeps no URI with that host', async (t) => {
  const walker = new Walker(system.token);
  const ticket = await report(walker, system.roots.tickets, 'Promoted through a forged host');
  const promote = new URL(linkOf(ticket.document, 'promote').href);
  const forged: Record<string, string>[] = [
    { Host: EVIL },
    { Host: new URL(system.roots.tickets).host, 'X-Forwarded-Host': EVIL },
  ];
  for (const headers of forged) {
    const answer = await rawRequest(promote.href, {
      method: 'POST',
      headers: { ...headers, Authorization: `Bearer ${system.token}` },
    });
    if (headers.Host === EVIL) t.is(answer.status, 421);
    else t.is(answer.status, 201, 'X-Forwarded-Host from no trusted proxy is ignored');
    t.false(`${answer.text}${JSON.stringify(answer.headers)}`.includes(EVIL));
  }
  const stored = await system.inspect.faqs((db) => db.selectFrom('faqs').select('source_uri').execute());
  t.deepEqual(
    stored.map((row) => row.source_uri),
    [ticket.url],
  );
  // The real host then finds that FAQ again (303), as a promote does.
  const again = await walker.submit(ticket, 'promote');
  t.is(again.status, 303);
});

test("a crawl from each service's home finds every address absolute, on the ticket or the FAQ service", async (t) => {
  const walker = new Walker(system.token);
  const ticket = await report(walker, system.roots.tickets, 'Crawled across two services');
  t.is((await walker.submit(ticket, 'promote')).status, 201);
  const origins = [new URL(system.roots.tickets).origin, new URL(system.roots.faqs).origin];
  for (const root of [system.roots.tickets, system.roots.faqs]) {
    const { addresses, answers } = await crawlAddresses(root, system.token, origins);
    t.true(answers > 10, `${root}: ${answers} answers`);
    t.deepEqual(strays(addresses, origins), [], root);
    // Each service's own home names itself.
    t.true(
      addresses.some(({ address }) => address === root),
      root,
    );
  }
});

test('under BASE_PATH every address is absolute, under the mount', async (t) => {
  const server = await spawnServerWithDatabase({ BASE_PATH: '/kb' });
  t.teardown(() => server.close());
  const origin = new URL(server.url).origin;
  const created = await server.fetch('/kb/tickets', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Mounted', requester: 'm@example.com' }),
  });
  t.is(created.status, 201);
  t.true(created.headers.get('location')!.startsWith(`${origin}/kb/tickets/`));
  const { addresses, answers } = await crawlAddresses(`${origin}/kb/`, server.adminToken, [`${origin}/kb`]);
  t.true(answers > 10, `${answers} answers`);
  t.deepEqual(strays(addresses, [`${origin}/kb`]), []);
  const home = (await (await server.fetch('/kb/', { headers: { Accept: HAL_FORMS } })).json()) as HalDocument;
  t.is(linkOf(home, 'self').href, `${origin}/kb/`);
});
