// The store tells a database that is out of reach (503, try again) from one that refused the request (a business
// answer) or a bug (500), from the errors the drivers really throw.
import test from 'ava';
import { sql } from 'kysely';
import pg from 'pg';
import { isUnavailable, isUniqueViolation } from '../../src/store/errors.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, inspectDatabase, testEngine } from '../helpers/database.ts';

/** What `attempt` rejects with; fails the test if it resolves. */
async function failureOf(attempt: () => Promise<unknown>): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

test('a database server that refuses the connection is unavailable', async (t) => {
  // Nothing listens on port 1.
  const client = new pg.Client({ connectionString: 'postgres://helpdesk@127.0.0.1:1/helpdesk' });
  const error = await failureOf(() => client.connect());
  t.true(isUnavailable(error), String(error));
});

test('a broken constraint and a bad query are not unavailability: they are answered or are bugs', async (t) => {
  const database = await createTestDatabase();
  try {
    // The server migrates the database; a plain connection then breaks rules in it.
    const store = await openStore({ url: database.url, synchronous: 'NORMAL' });
    await store.close();
    await inspectDatabase(database.url, async (db) => {
      const insert = () =>
        db
          .insertInto('faqs')
          .values({
            question: 'Same?',
            question_key: 'same?',
            answer: 'Yes.',
            status: 'draft',
            version: 1,
            created_at: 'now',
            updated_at: 'now',
          })
          .execute();
      await insert();
      const duplicate = await failureOf(insert);
      t.true(isUniqueViolation(duplicate), String(duplicate));
      t.false(isUnavailable(duplicate));
      const typo = await failureOf(() => sql`SELEC 1`.execute(db));
      t.false(isUnavailable(typo), String(typo));
      const missing = await failureOf(() => sql`SELECT * FROM no_such_table`.execute(db));
      t.false(isUnavailable(missing), String(missing));
    });
  } finally {
    await database.drop();
  }
});

if (testEngine === 'postgres') {
  test('a session the server terminates (as a restart does) is unavailable, on the query in flight and after', async (t) => {
    const database = await createTestDatabase();
    const victim = new pg.Client({ connectionString: database.url });
    victim.on('error', () => {});
    await victim.connect();
    try {
      const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const inFlight = failureOf(() => victim.query('SELECT pg_sleep(10)'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await inspectDatabase(database.url, (db) => sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(db));
      const terminated = await inFlight;
      t.is((terminated as { code?: string }).code, '57P01');
      t.true(isUnavailable(terminated));
      const after = await failureOf(() => victim.query('SELECT 1'));
      t.true(isUnavailable(after), String(after));
    } finally {
      await victim.end().catch(() => undefined);
      await database.drop();
    }
  });
}
