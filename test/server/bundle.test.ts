// `npm start` runs the server compiled into one bundle (dist/server.js), not the TypeScript sources. The bundle
// built from the sources at hand starts, finds the project's files from where it lies (the explorer's build,
// package.json), serves and creates, runs cluster workers, and stops cleanly on SIGTERM.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { bundleServer } from '../../scripts/bundle-server.ts';
import { PROJECT_ROOT } from '../../src/project.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { spawnServer } from '../helpers/process.ts';

// Beside dist/server.js (one folder below the root, as the bundle must be), under a name of this run's own.
const BUNDLE = join(PROJECT_ROOT, 'dist', `server-under-test-${process.pid}.js`);
const HAL = 'application/hal+json';

test.before(async () => {
  await bundleServer(BUNDLE);
});

test.after.always(() => {
  rmSync(BUNDLE, { force: true });
  rmSync(`${BUNDLE}.map`, { force: true });
});

test('the bundle serves the API from / and creates, and exits 0 on SIGTERM', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const server = await spawnServer({ DATABASE_URL: database.url }, { bundle: BUNDLE });
  try {
    const home = await server.fetch('/', { headers: { Accept: HAL } });
    t.is(home.status, 200);
    t.is(home.headers.get('content-type'), HAL);
    const links = (await home.json())._links;
    t.is(links.ticket.href, `${new URL(server.url).origin}/tickets/{id}`);
    t.true(links.ticket.templated);

    const created = await server.fetch('/tickets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Served by the bundle', requester: 'bundle@example.com' }),
    });
    t.is(created.status, 201);
    const ticket = await server.fetch(created.headers.get('location')!);
    t.is((await ticket.json()).title, 'Served by the bundle');
    // A search runs on SQLite's search thread, whose code lies beside the bundle (dist/sqlite-search-worker.js).
    const found = await server.fetch('/tickets?q=bundle', { headers: { Accept: HAL } });
    t.is(found.status, 200);
    const listing = (await found.json()) as { _embedded: { tickets: { title: string }[] } };
    t.deepEqual(
      listing._embedded.tickets.map(({ title }) => title),
      ['Served by the bundle'],
    );

    // The explorer's files are found from the bundle's place, as from the sources'.
    const page = await (await server.fetch('/', { headers: { Accept: 'text/html' } })).text();
    const assets = [...page.matchAll(/(?:src|href)="(\/explorer\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    t.is(assets.length, 2);
    for (const asset of assets) t.is((await server.fetch(asset)).status, 200, asset);
  } finally {
    t.is(await server.stop('SIGTERM'), 0);
  }
  t.deepEqual(server.otherOutput, [], 'nothing but JSON log lines on stdout');
});

test('the bundle runs cluster workers (WORKERS=2), which are the bundle too', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const server = await spawnServer({ DATABASE_URL: database.url, WORKERS: '2' }, { bundle: BUNDLE });
  try {
    await server.logged(() => server.logs.filter((entry) => entry.msg === 'listening').length === 2, 30_000);
    t.is((await server.fetch('/health')).status, 200);
  } finally {
    t.is(await server.stop('SIGTERM'), 0);
  }
});
