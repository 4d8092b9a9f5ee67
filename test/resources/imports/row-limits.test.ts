// Each row of an import is held to what one POST /tickets may carry (issue 11): at most 100 kB and 32 levels of
// nesting. A row past either is refused alone, unread, with a problem naming the row and the limit (the problem
// type a single POST of it would get), while the rows around it import; a whole body of such rows is never a 500.
import test from 'ava';
import { type ImportBody, submitImport, ticketRow, untilFinished } from '../../helpers/imports.ts';
import { type ProblemBody, expectProblem } from '../../helpers/problem.ts';
import { getJson, unique } from '../../helpers/seed.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer({ IMPORT_POLL_MS: '50', IMPORT_CHUNK_ROWS: '3' });
});
test.after.always(() => server.close());

const admin = (path: string, init?: RequestInit) => server.fetch(path, init);
const ROW_LIMIT = 100 * 1024;

interface Rejection extends ProblemBody {
  row: number;
}

/** A row whose `tags` is the issue's: 140,000 spaces and a comma (the pattern that held the process 11.5 s). */
const spacedTags = (tag: string) => ({ ...ticketRow(tag, 0), title: `${tag} spaced`, tags: `${' '.repeat(140_000)},` });
/** A row whose description nests `levels` arrays deep. */
const nested = (tag: string, levels: number) =>
  `{"title":"${tag} nested","requester":"nested@customers.example","description":${'['.repeat(levels)}${']'.repeat(levels)}}`;
/** A valid row of exactly `bytes` bytes (no ticket's fields come near 100 kB: JSON whitespace pads it). */
function rowOfSize(tag: string, bytes: number): string {
  const row = JSON.stringify({ title: `${tag} just fits`, requester: 'fits@customers.example' });
  return `{${' '.repeat(bytes - row.length)}${row.slice(1)}`;
}

async function rejectionsOf(job: ImportBody): Promise<Rejection[]> {
  const { body } = await getJson<{ _embedded: { rejections: Rejection[] } }>(
    server,
    `/imports/${job.id}/rejections?size=100`,
  );
  return body._embedded.rejections;
}

async function ticketTitles(job: ImportBody): Promise<string[]> {
  const { body } = await getJson<{ _embedded: { tickets: { title: string }[] } }>(
    server,
    `/tickets?import=${job.id}&size=100`,
  );
  return body._embedded.tickets.map((ticket) => ticket.title).sort();
}

/** What a single POST /tickets answers for this body: the problem a row of it should get too. */
async function singlePost(body: string): Promise<Response> {
  return admin('/tickets', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
}

test.serial(
  'rows past 100 kB or 32 levels are refused alone, each with the problem one POST /tickets gives and a detail naming the row and the limit; the rows around them import',
  async (t) => {
    const tag = unique('limits').replace(/\s/g, '-');
    const tooLarge = JSON.stringify(spacedTags(tag));
    const tooDeep = nested(tag, 40_000);
    t.true(Buffer.byteLength(tooDeep) < ROW_LIMIT, 'the deep row is within the size limit: its depth alone refuses it');
    const fits = rowOfSize(tag, ROW_LIMIT);
    const rows = [
      JSON.stringify(ticketRow(tag, 1)),
      tooLarge,
      tooDeep,
      fits,
      nested(tag, 33),
      nested(tag, 31),
      JSON.stringify(ticketRow(tag, 7)),
    ];
    const single = {
      large: await expectProblem(t, await singlePost(tooLarge), 413),
      deep: await expectProblem(t, await singlePost(tooDeep), 400),
    };
    t.is((await singlePost(fits)).status, 201, 'a row of exactly 100 kB is what one POST may carry');

    for (const [type, body] of [
      ['application/json', `[${rows.join(',')}]`],
      ['application/x-ndjson', `${rows.join('\n')}\n`],
    ] as const) {
      const { location } = await submitImport(admin, body, { 'Content-Type': type });
      const job = await untilFinished(admin, location);
      t.like(job, { state: 'done', progress: { total: 7, processed: 7, created: 3, rejected: 4 } }, type);
      t.deepEqual(await ticketTitles(job), [`${tag} just fits`, `${tag} row 1`, `${tag} row 7`].sort());
      const [large, deep, deeper, within] = await rejectionsOf(job);
      t.like(large, { row: 2, status: 413, type: single.large.type, title: single.large.title });
      t.regex(large!.detail, /^Row 2: .*100 kB/);
      t.like(deep, {
        row: 3,
        status: 400,
        type: single.deep.type,
        errors: [{ pointer: '#', detail: 'nests deeper than 32 levels' }],
      });
      t.regex(deep!.detail, /^Row 3: .*at most 32 levels.*nests 40001\b/);
      t.like(deeper, { row: 5, status: 400 });
      t.regex(deeper!.detail, /^Row 5: .*at most 32 levels.*nests 34\b/);
      // 32 levels are within the limit: that row is read, and its schema refuses the description for what it is.
      t.like(within, { row: 6, status: 400, errors: [{ pointer: '#/description' }] });
    }
  },
);

test.serial(
  'a row past the limits must still be an object, and a malformed one never splits the body: both are 400, and no job starts',
  async (t) => {
    const before = (await getJson<{ page: { totalElements: number } }>(server, '/imports')).body.page.totalElements;
    const huge = `"${'x'.repeat(ROW_LIMIT)}"`;
    const notObject = await expectProblem(
      t,
      await admin('/imports', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: `[${JSON.stringify(ticketRow('x', 1))},${huge}]`,
      }),
      400,
    );
    t.deepEqual(notObject.errors, [{ pointer: '#/1', detail: 'row 2: must be a JSON object' }]);
    const line = await expectProblem(
      t,
      await admin('/imports', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson' },
        body: `${huge}\n`,
      }),
      400,
    );
    t.deepEqual(line.errors, [{ pointer: '#/0', detail: 'line 1: must be a JSON object' }]);
    // A comma or bracket inside a string is the string's: the row stays whole, and an unclosed one is not JSON.
    const quoted = { ...ticketRow('x', 2), description: 'a, b], {c' };
    const { location } = await submitImport(admin, [quoted]);
    t.like(await untilFinished(admin, location), { progress: { total: 1, created: 1 } });
    for (const body of [
      '[{"title":"a"',
      '[{"title":"a"},',
      '[{"title":"a"},]',
      '[{"title":"a"}}',
      '[{"title":"a"}] x',
      '[{"title":"a", "b"}]',
    ]) {
      const problem = await expectProblem(
        t,
        await admin('/imports', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
        400,
      );
      t.regex(`${problem.detail} ${JSON.stringify(problem.errors ?? [])}`, /JSON/, body);
    }
    t.is(
      (await getJson<{ page: { totalElements: number } }>(server, '/imports')).body.page.totalElements,
      before + 1,
      'only the good import made a job',
    );
  },
);
