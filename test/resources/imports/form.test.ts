// The imports form as generic HAL-FORMS clients submit it: they build an object of the form's properties, so its
// one text area comes as `{"tickets": "<text>"}`. That object is read as the body its text holds, a JSON array or
// NDJSON, under the same limits; anything else in it is a 400 naming the field, and nothing is created.
import test from 'ava';
import { Client, bearerAuth } from 'ketting';
import { type ImportBody, ticketRow, untilFinished, importHoldings } from '../../helpers/imports.ts';
import { expectProblem, namedFields } from '../../helpers/problem.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { embedded } from '../../helpers/hal.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer({ IMPORT_POLL_MS: '50', IMPORT_LEASE_MS: '3000' });
});
test.after.always(() => server.close());

const admin = (path: string, init?: RequestInit) => server.fetch(path, init);

/** POSTs `body` (serialised as is when a string) to /imports as application/json. */
const postForm = (body: unknown) =>
  admin('/imports', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function accepted(response: Response): Promise<ImportBody> {
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST /imports gave ${response.status}: ${text}`);
  return untilFinished(admin, response.headers.get('Location')!);
}

/** The titles of the tickets a finished job created. */
async function titlesOf(job: ImportBody): Promise<string[]> {
  const response = await admin(`/tickets?import=${job.id}&size=100`);
  return (embedded(await response.json(), 'tickets') as unknown as { title: string }[])
    .map((ticket) => ticket.title)
    .sort();
}

const holdings = () => importHoldings(server);

test.serial('the form with a JSON array in its text imports each element, as the bare array would', async (t) => {
  const rows = [ticketRow('form-array', 1), ticketRow('form-array', 2)];
  const job = await accepted(await postForm({ tickets: JSON.stringify(rows, null, 2) }));
  t.like(job, { state: 'done', progress: { total: 2, created: 2, rejected: 0 } });
  t.deepEqual(await titlesOf(job), ['form-array row 1', 'form-array row 2']);
});

test.serial(
  'the form with NDJSON in its text imports each line, and a refused line is numbered by its line',
  async (t) => {
    const text = `${JSON.stringify(ticketRow('form-ndjson', 1))}\n${JSON.stringify({ title: '' })}\n${JSON.stringify(ticketRow('form-ndjson', 3))}\n`;
    const job = await accepted(await postForm({ tickets: text }));
    t.like(job, { state: 'done', progress: { total: 3, created: 2, rejected: 1 } });
    t.deepEqual(await titlesOf(job), ['form-ndjson row 1', 'form-ndjson row 3']);
    const rejections = await (await admin(`/imports/${job.id}/rejections`)).json();
    t.is((embedded(rejections, 'rejections')[0] as unknown as { row: number }).row, 2);
  },
);

test.serial('a long text of escapes, accents and emoji is read exactly, however it is cut to be decoded', async (t) => {
  // Past the decoder's 64 kB chunks, with multi-byte characters, \u escapes and surrogate pairs everywhere.
  const titles = Array.from(
    { length: 1500 },
    (_, n) => `Écran "${n}" \\ ne s'allume pas 🖨️ \u2028 ${'ü'.repeat(n % 50)}`,
  );
  const rows = titles.map((title, n) => ({ title, requester: `long${n}@customers.example` }));
  const body = JSON.stringify({ tickets: JSON.stringify(rows) }).replaceAll('🖨', '\\ud83d\\udda8');
  t.true(body.length > 150_000);
  const job = await accepted(await postForm(body));
  t.like(job, { state: 'done', progress: { total: 1500, created: 1500, rejected: 0 } });
  const stored = await server.inspect((db) =>
    db.selectFrom('tickets').select('title').where('requester', 'like', 'long%@customers.example').execute(),
  );
  t.deepEqual(stored.map((row) => row.title).sort(), [...titles].sort());
});

test.serial(
  'a text that is neither a JSON array nor NDJSON of tickets is 400 naming #/tickets, and nothing is created',
  async (t) => {
    const before = await holdings();
    for (const text of ['[{"title": "a"}, 3]', 'not json at all', '[{"title": "unclosed"', '', '{"title": "a"}\n[1]']) {
      const problem = await expectProblem(t, await postForm({ tickets: text }), 400);
      t.deepEqual(namedFields(problem), ['#/tickets'], `${JSON.stringify(text)}: ${problem.detail}`);
      t.regex(problem.detail, /tickets/);
    }
    t.deepEqual(await holdings(), before);
  },
);

test.serial(
  'a form object with another property, or without a string tickets, is 400 naming the field, and nothing is created',
  async (t) => {
    const before = await holdings();
    const cases: [unknown, string][] = [
      [{ tickets: '[]', extra: 1 }, '#/extra'],
      [{ tickets: JSON.stringify([ticketRow('extra', 1)]), source: 'x' }, '#/source'],
      // A single ticket sent alone is the likelier mistake: the body as a whole is named.
      [{ rows: JSON.stringify([ticketRow('extra', 1)]) }, '#'],
      [ticketRow('alone', 1), '#'],
      [{ tickets: [ticketRow('extra', 1)] }, '#/tickets'],
      [{ tickets: 5 }, '#/tickets'],
      [{}, '#/tickets'],
    ];
    for (const [body, field] of cases) {
      const problem = await expectProblem(t, await postForm(body), 400);
      t.deepEqual(namedFields(problem), [field], JSON.stringify(body));
    }
    for (const broken of [
      '{"tickets": "[]"',
      '{"tickets": "[]"} []',
      '{"tickets" "[]"}',
      '{"tickets": "\\x"}',
      '{tickets: "[]"}',
    ]) {
      const problem = await expectProblem(t, await postForm(broken), 400);
      t.regex(problem.detail, /not valid JSON/, broken);
    }
    t.deepEqual(await holdings(), before);
  },
);

test.serial('the form is held to the same 10 MB as a bare body', async (t) => {
  const before = await holdings();
  const text = JSON.stringify(
    Array.from({ length: 60_000 }, (_, n) => ({
      title: `big ${n}`,
      requester: 'big@customers.example',
      description: 'x'.repeat(150),
    })),
  );
  t.true(text.length > 10 * 1024 * 1024);
  await expectProblem(t, await postForm({ tickets: text }), 413);
  t.deepEqual(await holdings(), before);
});

test.serial('Ketting submits the imports form as it reads it, and the tickets in its text are created', async (t) => {
  const client = new Client(new URL('/', server.url).href);
  client.use(bearerAuth(server.adminToken));
  const imports = await (await client.go().follow('imports')).get();
  const form = imports.action('default');
  t.is(form.contentType, 'application/json');
  const rows = [ticketRow('ketting-form', 1), ticketRow('ketting-form', 2)];
  const answer = await form.submit({ tickets: JSON.stringify(rows) });
  const location = answer.headers.get('Location');
  if (location === null) return t.fail('the import answered without Location');
  const job = await untilFinished(admin, location);
  t.like(job, { state: 'done', progress: { total: 2, created: 2 } });
  t.deepEqual(await titlesOf(job), ['ketting-form row 1', 'ketting-form row 2']);
});
