// Finished imports are kept for IMPORT_RETENTION_HOURS, then removed by the workers: the job's address and its
// rejections answer 410 Gone with a problem that says where the tickets are, the job leaves the collection, and
// the tickets it created stay, still listed by the import. Here the retention is a few seconds.
import test from 'ava';
import { problemTypeUri } from '../../../src/http/problem.ts';
import { type HalDocument, embedded, hrefOf } from '../../helpers/hal.ts';
import {
  type ImportBody,
  keptRows,
  poisonTickets,
  submitImport,
  ticketRow,
  untilFinished,
} from '../../helpers/imports.ts';
import { expectProblem } from '../../helpers/problem.ts';
import { getJson, unique } from '../../helpers/seed.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const RETENTION_HOURS = '0.0015';
const RETENTION_MS = 5_400;

let server: TestServer;
test.before(async () => {
  server = await startTestServer({
    IMPORT_POLL_MS: '50',
    IMPORT_LEASE_MS: '3000',
    IMPORT_CHUNK_ROWS: '2',
    IMPORT_RETENTION_HOURS: RETENTION_HOURS,
  });
  await server.inspect((db) => poisonTickets(db));
});
test.after.always(() => server.close());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the job's address until it stops answering 200; returns that answer and how long after `since` it came. */
async function untilGone(location: string, since: string): Promise<{ response: Response; afterMs: number }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await server.fetch(location);
    if (response.status !== 200) return { response, afterMs: Date.now() - Date.parse(since) };
    await response.body?.cancel();
    if (Date.now() > deadline) throw new Error(`${location} still there after 30 s`);
    await pause(100);
  }
}

interface Listing extends HalDocument {
  page: { totalElements: number };
}

async function listedIds(): Promise<number[]> {
  const { body } = await getJson<Listing>(server, '/imports?size=100');
  return embedded(body, 'imports').map((job) => (job as ImportBody).id);
}

test('a finished job is served until its retention has passed; then it and its rejections are 410 Gone, and its tickets stay', async (t) => {
  const tag = unique('kept').replace(/\s/g, '-');
  const rows = [ticketRow(tag, 1), { title: `${tag} without requester` }, ticketRow(tag, 3)];
  const { location } = await submitImport(server.fetch, rows);
  const job = await untilFinished(server.fetch, location);
  t.like(job, { state: 'done', progress: { created: 2, rejected: 1 } });
  // Read at once, well inside the retention: everything is there.
  t.is((await server.fetch(location)).status, 200);
  t.is((await server.fetch(`${location}/rejections/2`)).status, 200);
  t.true((await listedIds()).includes(job.id));

  // The database that stamped finishedAt runs on this machine: one clock for both.
  const { response, afterMs } = await untilGone(location, job.finishedAt!);
  t.true(afterMs >= RETENTION_MS, `gone ${afterMs} ms after it finished, for a retention of ${RETENTION_MS} ms`);
  const problem = await expectProblem(t, response, 410);
  t.is(problem.type, server.at(problemTypeUri('gone')));
  t.is(problem.tickets, server.at(`/tickets?import=${job.id}`));
  t.regex(problem.detail, new RegExp(`Import ${job.id} ended on ${job.finishedAt!.replace(/[.]/g, '\\.')}`));
  t.regex(problem.detail, /tickets it created remain/);
  await expectProblem(t, await server.fetch(`${location}/rejections`), 410);
  await expectProblem(t, await server.fetch(`${location}/rejections/2`), 410);
  t.false((await listedIds()).includes(job.id), 'the collection no longer lists it');
  // Still gone later: its address never comes back as anything else (nor 404, "never was").
  t.is((await server.fetch(location)).status, 410);

  // The tickets stay, each at its address, and the link the job offered still finds them.
  const { body } = await getJson<Listing>(server, problem.tickets as string);
  const tickets = embedded(body, 'tickets');
  t.deepEqual(tickets.map((ticket) => (ticket as HalDocument & { title: string }).title).sort(), [
    `${tag} row 1`,
    `${tag} row 3`,
  ]);
  for (const ticket of tickets) t.is((await server.fetch(hrefOf(ticket, 'self'))).status, 200);
  t.like(
    await server.inspect(async (db) => ({
      job: await db.selectFrom('imports').select('state').where('id', '=', job.id).executeTakeFirstOrThrow(),
      kept: (await keptRows(db, job.id)).length,
      problems: (
        await db
          .selectFrom('import_rows')
          .select('row')
          .where('import_id', '=', job.id)
          .where('problem', 'is not', null)
          .execute()
      ).length,
    })),
    { job: { state: 'expired' }, kept: 0, problems: 0 },
  );
});

test('a failed job keeps its rows until its retention has passed, then is gone like a done one', async (t) => {
  const rows = [
    ticketRow('failing', 1),
    ticketRow('failing', 2),
    { ...ticketRow('failing', 3), title: 'poison row 3' },
  ];
  const { location } = await submitImport(server.fetch, rows);
  const job = await untilFinished(server.fetch, location);
  t.like(job, { state: 'failed', progress: { processed: 2, created: 2 } });
  const kept = () => server.inspect((db) => keptRows(db, job.id));
  t.deepEqual(await kept(), rows);

  const { response } = await untilGone(location, job.finishedAt!);
  await expectProblem(t, response, 410);
  t.deepEqual(await kept(), []);
});
