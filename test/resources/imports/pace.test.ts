// What a client needs to follow an import as it runs: how far it is (percent), how fast it goes and how long
// it has left, when to ask again (Retry-After), and a form that says how to send the rows at all.
import test from 'ava';
import type { ImportJob } from '../../../src/domain/imports.ts';
import { pace } from '../../../src/resources/imports/representation.ts';
import { retryAfterSeconds } from '../../../src/resources/imports/routes.ts';
import { type ImportBody, submitImport, ticketRow, untilFinished } from '../../helpers/imports.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const HAL_FORMS = 'application/prs.hal-forms+json';

interface Paced {
  progress: ImportBody['progress'] & { percent: number; rowsPerSecond: number | null; secondsLeft: number | null };
}

const job = (fields: Partial<ImportJob>): ImportJob => ({
  id: 1,
  state: 'running',
  submittedBy: 'alice',
  total: 1000,
  processed: 0,
  created: 0,
  rejected: 0,
  version: 1,
  failure: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  startedAt: '2026-12-01T10:00:00.000Z',
  finishedAt: null,
  ...fields,
});
const at = (iso: string) => Date.parse(iso);

test('a running job’s pace is its rows over the time since it started, and the rest at that rate is its time left', (t) => {
  t.deepEqual(pace(job({ processed: 250 }), at('2026-12-01T10:00:10.000Z')), {
    percent: 25,
    rowsPerSecond: 25,
    secondsLeft: 30,
  });
  t.deepEqual(pace(job({ processed: 1, total: 3 }), at('2026-12-01T10:00:01.000Z')), {
    percent: 33.3,
    rowsPerSecond: 1,
    secondsLeft: 2,
  });
});

test('before its first rows a job has no pace yet, and a finished one has nothing left', (t) => {
  t.deepEqual(pace(job({ state: 'queued', startedAt: null }), at('2026-12-01T10:00:05.000Z')), {
    percent: 0,
    rowsPerSecond: null,
    secondsLeft: null,
  });
  t.deepEqual(pace(job({}), at('2026-12-01T10:00:05.000Z')), { percent: 0, rowsPerSecond: null, secondsLeft: null });
  const done = job({ state: 'done', processed: 1000, finishedAt: '2026-12-01T10:00:04.000Z' });
  t.deepEqual(
    pace(done, at('2026-12-01T11:00:00.000Z')),
    { percent: 100, rowsPerSecond: 250, secondsLeft: 0 },
    'measured to its end, not to now',
  );
});

test('Retry-After is the workers’ next look for a queued job, and a running job’s expected end within it', (t) => {
  t.is(retryAfterSeconds({ state: 'queued' }, null, 90_500), 91);
  t.is(retryAfterSeconds({ state: 'running' }, null, 90_500), 91, 'no pace yet: the next look');
  t.is(retryAfterSeconds({ state: 'running' }, 20.2, 90_500), 21);
  t.is(retryAfterSeconds({ state: 'running' }, 0.2, 90_500), 1, 'never less than a second');
  t.is(retryAfterSeconds({ state: 'running' }, 600, 5_000), 5, 'never past the next look: a poller sees it move');
});

let server: TestServer;
test.before(async () => {
  server = await startTestServer({ IMPORT_POLL_MS: '50', IMPORT_LEASE_MS: '3000', IMPORT_CHUNK_ROWS: '7' });
});
test.after.always(() => server.close());

test('a job answers with its percent, rate and time left: none while queued, 100% and a rate once done', async (t) => {
  const rows = Array.from({ length: 30 }, (_, n) => ticketRow('paced', n + 1));
  const { body } = await submitImport(server.fetch, rows);
  t.like(body, { progress: { total: 30, processed: 0, percent: 0, rowsPerSecond: null, secondsLeft: null } });
  const done = (await untilFinished(server.fetch, `/imports/${body.id}`)) as unknown as Paced & ImportBody;
  t.like(done, { state: 'done', progress: { total: 30, processed: 30, created: 30, percent: 100, secondsLeft: 0 } });
  t.true(
    typeof done.progress.rowsPerSecond === 'number' && done.progress.rowsPerSecond > 0,
    String(done.progress.rowsPerSecond),
  );
});

interface BodyField {
  name: string;
  type: string;
  required: boolean;
  prompt: string;
  'x-body': string[];
}

test('the import form has one text area that is the whole body, in JSON or NDJSON, and its text sent as is is accepted', async (t) => {
  const collection = (await (await server.fetch('/imports', { headers: { Accept: HAL_FORMS } })).json()) as {
    _templates: { default: { method: string; target: string; contentType: string; properties: BodyField[] } };
  };
  const form = collection._templates.default;
  t.like(form, { method: 'POST', target: server.at('/imports'), contentType: 'application/json' });
  t.is(form.properties.length, 1);
  const [field] = form.properties;
  t.like(field, { name: 'tickets', type: 'textarea', required: true });
  t.deepEqual(field!['x-body'], ['application/json', 'application/x-ndjson']);
  for (const contentType of field!['x-body']) {
    const rows = [ticketRow('form', 1), ticketRow('form', 2)];
    const text =
      contentType === 'application/json' ? JSON.stringify(rows) : rows.map((row) => JSON.stringify(row)).join('\n');
    const response = await server.fetch(form.target, {
      method: form.method,
      headers: { 'Content-Type': contentType },
      body: text,
    });
    t.is(response.status, 202, contentType);
    t.like((await response.json()) as ImportBody, { progress: { total: 2 } });
  }
});

test('a running job is tagged by its bytes, not its version: a conditional GET sees its pace move', async (t) => {
  // A server whose worker does not look for a minute: the job waits until the test makes it look running.
  const idle = await startTestServer({ IMPORT_POLL_MS: '60000', IMPORT_LEASE_MS: '180000' });
  t.teardown(() => idle.close());
  const submitted = await submitImport(idle.fetch, [ticketRow('held', 1), ticketRow('held', 2)]);
  const id = Number(submitted.location.split('/').pop());
  const job = (fields: Record<string, string | number | null>) =>
    idle.inspect((db) => db.updateTable('imports').set(fields).where('id', '=', id).executeTakeFirst());
  // Held by "another instance", started 10 s ago with a tenth done: its version stays put from here on.
  await job({
    state: 'running',
    lease_owner: 'another-instance',
    lease_expires_at: '9999-12-31T00:00:00.000Z',
    started_at: new Date(Date.now() - 10_000).toISOString(),
    processed: 100,
    total: 1000,
  });
  const first = await idle.fetch(submitted.location);
  const firstPace = ((await first.json()) as Paced).progress.rowsPerSecond;
  const etag = first.headers.get('etag')!;
  t.regex(etag, /^"h/, 'a hash of the bytes, not a version');
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  const later = await idle.fetch(submitted.location, { headers: { 'If-None-Match': etag } });
  t.is(later.status, 200, 'the pace moved, so the copy held is not current');
  t.not(((await later.json()) as Paced).progress.rowsPerSecond, firstPace);
  t.not(later.headers.get('etag'), etag);
  // Once finished, its bytes no longer move: its version names them again.
  await job({
    state: 'done',
    processed: 1000,
    created: 1000,
    finished_at: new Date().toISOString(),
    lease_owner: null,
    lease_expires_at: null,
  });
  const finished = await idle.fetch(submitted.location);
  t.regex(finished.headers.get('etag') ?? '', /^"v\d+/);
});
