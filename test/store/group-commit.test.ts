// Group commit: concurrent writes share one durable commit, yet each is acknowledged only once it is stored,
// fails only for itself, and is decided (409, 412, ids) exactly as if it had been alone. Both modes are held
// to the same promises, GROUP_COMMIT=on and off, on either engine.
import test from 'ava';
import { TICKET_DEFAULTS } from '../../src/domain/tickets.ts';
import { DuplicateQuestion } from '../../src/store/faqs.ts';
import { type Store, openStore } from '../../src/store/index.ts';
import { startCommitCutter } from '../helpers/commit-cutter.ts';
import { createTestDatabase, inspectDatabase, testEngine } from '../helpers/database.ts';
import { pathOf } from '../helpers/hal.ts';
import { json, startTestServer } from '../helpers/server.ts';

const MODES = ['on', 'off'] as const;

/** A store of its own on a fresh database, committing in groups, for writes handed over in one tick. */
async function withStore(run: (store: Store, url: string) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const store = await openStore({ url: database.url, synchronous: 'NORMAL', groupCommit: true });
  try {
    await run(store, database.url);
  } finally {
    await store.close();
    await database.drop();
  }
}

const ticket = (title: string) => ({ ...TICKET_DEFAULTS, title, requester: 'ann@example.com' });

for (const mode of MODES) {
  test(`GROUP_COMMIT=${mode}: concurrent creates that were acknowledged are all there after the server stops and starts again`, async (t) => {
    const database = await createTestDatabase();
    try {
      const first = await startTestServer({ DATABASE_URL: database.url, GROUP_COMMIT: mode });
      const titles = Array.from({ length: 40 }, (_, i) => `Concurrent ticket ${i}`);
      const created = await Promise.all(
        titles.map(async (title) => {
          const response = await first.fetch('/tickets', json('POST', { title, requester: 'ann@example.com' }));
          return { title, status: response.status, location: response.headers.get('location') };
        }),
      );
      await first.close();
      t.deepEqual(
        created.map((c) => c.status),
        titles.map(() => 201),
      );
      t.is(new Set(created.map((c) => c.location)).size, titles.length, 'every create has a URI of its own');

      const second = await startTestServer({
        DATABASE_URL: database.url,
        GROUP_COMMIT: mode,
        ADMIN_TOKEN: first.adminToken,
      });
      try {
        for (const { title, location } of created) {
          const response = await second.fetch(pathOf(location!)); // on the second server's own address
          t.is(response.status, 200, location!);
          t.is(((await response.json()) as { title: string }).title, title);
        }
        t.is(
          Number(
            (
              await second.inspect((db) =>
                db
                  .selectFrom('tickets')
                  .select((eb) => eb.fn.countAll().as('n'))
                  .executeTakeFirstOrThrow(),
              )
            ).n,
          ),
          titles.length,
        );
      } finally {
        await second.close();
      }
    } finally {
      await database.drop();
    }
  });

  test(`GROUP_COMMIT=${mode}: of concurrent FAQs asking the same question one is 201 and the rest 409, and the others all land`, async (t) => {
    const server = await startTestServer({ GROUP_COMMIT: mode });
    try {
      const bodies = [
        ...Array.from({ length: 6 }, (_, i) => ({ question: `Distinct question ${i}?`, answer: 'Yes.' })),
        ...Array.from({ length: 6 }, (_, i) => ({
          question: i % 2 ? 'How do I reset MY password?' : '  how do i reset my password? ',
          answer: `Variant ${i}.`,
        })),
      ];
      const statuses = await Promise.all(
        bodies.map(async (body) => (await server.fetch('/faqs', json('POST', body))).status),
      );
      t.deepEqual(statuses.slice(0, 6), [201, 201, 201, 201, 201, 201]);
      t.deepEqual(statuses.slice(6).sort(), [201, 409, 409, 409, 409, 409]);
      const questions = await server.inspect((db) => db.selectFrom('faqs').select('question').execute());
      t.is(questions.length, 7);
      t.is(questions.filter((q) => /password/i.test(q.question)).length, 1);
    } finally {
      await server.close();
    }
  });

  test(`GROUP_COMMIT=${mode}: of concurrent PATCHes sent with the same If-Match one wins and the rest are 412`, async (t) => {
    const server = await startTestServer({ GROUP_COMMIT: mode });
    try {
      const created = await server.fetch(
        '/tickets',
        json('POST', { title: 'Contended', requester: 'ann@example.com' }),
      );
      const location = created.headers.get('location')!;
      const etag = created.headers.get('etag')!;
      const titles = Array.from({ length: 10 }, (_, i) => `Edit ${i}`);
      const statuses = await Promise.all(
        titles.map(
          async (title) => (await server.fetch(location, json('PATCH', { title }, { 'If-Match': etag }))).status,
        ),
      );
      t.deepEqual([...statuses].sort(), [200, 412, 412, 412, 412, 412, 412, 412, 412, 412]);
      const row = await server.inspect((db) =>
        db.selectFrom('tickets').select(['title', 'version']).executeTakeFirstOrThrow(),
      );
      t.is(row.version, 2, 'exactly one write landed');
      t.is(row.title, titles[statuses.indexOf(200)]!);
    } finally {
      await server.close();
    }
  });
}

test('writes handed over together get unique ids in the order they were handed over', async (t) => {
  await withStore(async (store) => {
    const tickets = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.tickets.create(ticket(`Ordered ${i}`))),
    );
    const ids = tickets.map((t) => t.id);
    t.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    t.is(new Set(ids).size, ids.length);
    t.deepEqual(
      tickets.map((t) => t.title),
      tickets.map((_, i) => `Ordered ${i}`),
    );
  });
});

test('a write that breaks a constraint half-way fails alone: its first statement is undone, the writes around it land', async (t) => {
  await withStore(async (store, url) => {
    const faq = (question: string, related: number[] = []) => ({
      question,
      answer: 'Yes.',
      status: 'published' as const,
      source: null,
      related,
    });
    const results = await Promise.allSettled([
      store.faqs.create(faq('Before the bad one?')),
      store.tickets.create(ticket('Beside the bad one')),
      // The FAQ row goes in, then its link to an FAQ that does not exist breaks the foreign key.
      store.faqs.create(faq('The bad one?', [999_999])),
      store.faqs.create(faq('Before the bad one?')), // a duplicate: refused on its own
      store.faqs.create(faq('After the bad one?')),
    ]);
    t.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    t.true((results[3] as PromiseRejectedResult).reason instanceof DuplicateQuestion);
    const stored = await inspectDatabase(url, async (db) => ({
      faqs: (await db.selectFrom('faqs').select('question').orderBy('id').execute()).map((r) => r.question),
      tickets: (await db.selectFrom('tickets').select('title').execute()).map((r) => r.title),
      related: await db.selectFrom('faq_related').selectAll().execute(),
    }));
    t.deepEqual(stored, {
      faqs: ['Before the bad one?', 'After the bad one?'],
      tickets: ['Beside the bad one'],
      related: [],
    });
    // The counters the triggers keep saw only what landed.
    t.is(await store.faqs.count({}), 2);
    t.is(await store.tickets.count({}), 1);
  });
});

test('closing the store waits for the writes already handed over', async (t) => {
  const database = await createTestDatabase();
  try {
    const store = await openStore({ url: database.url, synchronous: 'NORMAL', groupCommit: true });
    const writes = Array.from({ length: 10 }, (_, i) => store.tickets.create(ticket(`Last words ${i}`)));
    await store.close();
    t.is((await Promise.all(writes)).length, 10);
    const n = await inspectDatabase(database.url, (db) =>
      db
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    );
    t.is(Number(n.n), 10);
  } finally {
    await database.drop();
  }
});

// Only a COMMIT sent over a connection can be lost on its way back; SQLite's returns where it runs.
if (testEngine === 'postgres') {
  test('on PostgreSQL, a group whose COMMIT landed but whose answer was lost on the way is acknowledged, and written once', async (t) => {
    const database = await createTestDatabase();
    const cutter = await startCommitCutter(database.url);
    const store = await openStore({ url: cutter.via(database.url), synchronous: 'NORMAL', groupCommit: true });
    try {
      const titles = Array.from({ length: 12 }, (_, i) => `Committed once ${i}`);
      cutter.arm();
      // Handed over in one tick: one group, one COMMIT, whose answer the cutter drops.
      const results = await Promise.allSettled(titles.map((title) => store.tickets.create(ticket(title))));
      t.is(cutter.cuts(), 1, 'the group’s COMMIT answer was cut off');
      t.deepEqual(
        results.map((result) => result.status),
        titles.map(() => 'fulfilled'),
        'every write is acknowledged: the COMMIT landed',
      );
      const stored = await inspectDatabase(database.url, (db) =>
        db.selectFrom('tickets').select(['id', 'title']).orderBy('id').execute(),
      );
      t.deepEqual(
        stored.map((row) => row.title).sort(),
        [...titles].sort(),
        'each write stored exactly once, not run again',
      );
      const acknowledged = results.map((result) => (result.status === 'fulfilled' ? result.value.id : undefined));
      t.deepEqual(
        [...acknowledged].sort((a, b) => a! - b!),
        stored.map((row) => row.id),
        'the ids acknowledged are the ids stored',
      );
      t.is(
        (await inspectDatabase(database.url, (db) => db.selectFrom('commit_markers').select('id').execute())).length,
        1,
        'one marker kept, the last',
      );

      // The store carries on: the next group commits, and replaces the marker.
      await Promise.all(['After the cut 1', 'After the cut 2'].map((title) => store.tickets.create(ticket(title))));
      t.is(
        (await inspectDatabase(database.url, (db) => db.selectFrom('tickets').select('id').execute())).length,
        titles.length + 2,
      );
      t.is(
        (await inspectDatabase(database.url, (db) => db.selectFrom('commit_markers').select('id').execute())).length,
        1,
      );
    } finally {
      await store.close();
      await cutter.close();
      await database.drop();
    }
  });
}
