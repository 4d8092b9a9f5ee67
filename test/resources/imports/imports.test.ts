// Bulk imports: a JSON array (or NDJSON) of tickets becomes a job, answered 202 with its address; the job runs
// in the background and ends done, with a ticket per valid row and, per refused row, the problem a single
// POST /tickets would have given.
import test from 'ava';
import { type HalDocument, embedded, halViolations, hrefOf } from '../../helpers/hal.ts';
import {
  type ImportBody,
  keptRows,
  submitImport,
  ticketRow,
  untilFinished,
  importHoldings,
} from '../../helpers/imports.ts';
import { type ProblemBody, expectProblem, namedFields } from '../../helpers/problem.ts';
import { type TicketBody, getJson, send, unique } from '../../helpers/seed.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  // Short intervals so jobs finish within a test; an odd chunk size so that rows straddle chunk boundaries.
  server = await startTestServer({ IMPORT_POLL_MS: '50', IMPORT_LEASE_MS: '3000', IMPORT_CHUNK_ROWS: '7' });
});
test.after.always(() => server.close());

const HAL_FORMS = 'application/prs.hal-forms+json';
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

// Tests that compare what the database holds before and after run serially: the others would add to it meanwhile.
const admin = (path: string, init?: RequestInit) => server.fetch(path, init);
const importRows = (rows: unknown[] | string, headers?: Record<string, string>) => submitImport(admin, rows, headers);
const finished = (location: string) => untilFinished(admin, location);

interface Page<T extends HalDocument> extends HalDocument {
  page: { totalElements: number; totalPages: number; number: number; size: number };
  _embedded: Record<string, T[]>;
}

/** Every ticket behind a job's `tickets` link, following `next` links from page to page. */
async function ticketsOf(job: ImportBody): Promise<TicketBody[]> {
  const found: TicketBody[] = [];
  let href: string | undefined = hrefOf(job, 'tickets');
  while (href) {
    const { status, body }: { status: number; body: Page<TicketBody> } = await getJson<Page<TicketBody>>(server, href);
    if (status !== 200) throw new Error(`GET ${href} gave ${status}`);
    found.push(...(embedded(body, 'tickets') as TicketBody[]));
    href = body._links.next ? hrefOf(body, 'next') : undefined;
  }
  return found;
}

interface RejectionBody extends ProblemBody, HalDocument {
  row: number;
}

async function rejectionsOf(job: ImportBody): Promise<RejectionBody[]> {
  const { status, body } = await getJson<Page<RejectionBody>>(server, `${hrefOf(job, 'rejections')}?size=100`);
  if (status !== 200) throw new Error(`GET rejections gave ${status}`);
  return embedded(body, 'rejections') as RejectionBody[];
}

const holdings = () => importHoldings(server);

test('an import is 202 with Location of its job, which polling follows to done with a ticket per row', async (t) => {
  const tag = unique('bulk').replace(/\s/g, '-');
  const rows = Array.from({ length: 20 }, (_, n) => ticketRow(tag, n + 1));
  const { response, location, body } = await importRows(rows);
  t.regex(location, new RegExp(`^${server.at('/imports/')}\\d+$`));
  t.is(response.headers.get('content-type'), 'application/hal+json');
  t.is(response.headers.get('retry-after'), '1');
  t.is(response.headers.get('content-location'), location);
  t.is(hrefOf(body, 'self'), location);
  t.deepEqual(halViolations(body), []);
  t.like(body, {
    state: 'queued',
    progress: { total: 20, processed: 0, created: 0, rejected: 0 },
    startedAt: null,
    finishedAt: null,
  });
  t.regex(body.createdAt, RFC3339_UTC);

  const job = await finished(location);
  t.like(job, { state: 'done', progress: { total: 20, processed: 20, created: 20, rejected: 0 } });
  t.false('failure' in job);
  t.true(job.createdAt <= job.startedAt! && job.startedAt! <= job.finishedAt!);
  const done = await admin(location);
  t.is(done.headers.get('retry-after'), null, 'a finished job has nothing to wait for');
  // Every row is now a ticket (or a problem): the submitted rows are not kept twice.
  t.deepEqual(await server.inspect((db) => keptRows(db, job.id)), []);

  const tickets = await ticketsOf(job);
  t.deepEqual(tickets.map((ticket) => ticket.title).sort(), rows.map((row) => String(row.title)).sort());
  for (const ticket of tickets) {
    t.deepEqual(ticket.tags, [tag]);
    t.is(ticket.status, 'open');
    // Each is a ticket like any other, at its own address.
    t.is((await admin(hrefOf(ticket, 'self'))).status, 200);
  }
});

test.serial(
  'rows POST /tickets would refuse are rejected with its very problem, numbered by row, and make no ticket',
  async (t) => {
    const tag = unique('mixed').replace(/\s/g, '-');
    const rows: Record<string, unknown>[] = [
      ticketRow(tag, 1),
      { title: '   ', requester: 'blank@customers.example' },
      ticketRow(tag, 3),
      { title: `${tag} bad requester`, requester: 'not an email', priority: 'whenever' },
      { title: `${tag} sets its id`, requester: 'id@customers.example', id: 5 },
      { title: `${tag} unknown field`, requester: 'x@customers.example', colour: 'red' },
      { title: `${tag} holds NUL \u0000`, requester: 'nul@customers.example' },
      { requester: 'untitled@customers.example' },
    ];
    const before = await holdings();
    const job = await finished((await importRows(rows)).location);
    t.like(job, { state: 'done', progress: { total: 8, processed: 8, created: 2, rejected: 6 } });

    const rejections = await rejectionsOf(job);
    t.deepEqual(
      rejections.map((r) => r.row),
      [2, 4, 5, 6, 7, 8],
    );
    for (const rejection of rejections) {
      t.deepEqual(halViolations(rejection), []);
      // The same body sent alone: the import must refuse it exactly as the single create does.
      const alone = await admin('/tickets', json('POST', rows[rejection.row - 1]));
      const single = await expectProblem(t, alone, 400);
      t.like(rejection, { type: single.type, title: single.title, status: 400 });
      t.deepEqual(rejection.errors, single.errors, `row ${rejection.row}`);
      t.true(rejection.detail.startsWith(`Row ${rejection.row}: `), rejection.detail);
    }
    t.deepEqual(namedFields(rejections.find((r) => r.row === 4)!), ['#/priority', '#/requester']);
    t.deepEqual(namedFields(rejections.find((r) => r.row === 8)!), ['#/title']);

    const tickets = await ticketsOf(job);
    t.deepEqual(tickets.map((ticket) => ticket.title).sort(), [`${tag} row 1`, `${tag} row 3`]);
    // Nothing half made: two tickets more in all, and each refused row recorded with no ticket.
    t.is((await holdings()).tickets, before.tickets + 2);
    const recorded = await server.inspect((db) =>
      db.selectFrom('import_rows').selectAll().where('import_id', '=', job.id).orderBy('row').execute(),
    );
    t.deepEqual(
      recorded.map((r) => [r.row, r.ticket_id === null, r.problem === null]),
      [
        [1, false, true],
        [2, true, false],
        [3, false, true],
        [4, true, false],
        [5, true, false],
        [6, true, false],
        [7, true, false],
        [8, true, false],
      ],
    );
  },
);

test('a refused row is a resource of its own, also served as application/problem+json', async (t) => {
  const job = await finished(
    (await importRows([ticketRow('single', 1), { title: '', requester: 'r@customers.example' }])).location,
  );
  const [rejection] = await rejectionsOf(job);
  const href = hrefOf(rejection!, 'self');
  t.is(href, server.at(`/imports/${job.id}/rejections/2`));
  const response = await admin(href, { headers: { Accept: 'application/problem+json' } });
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/problem+json');
  const body = (await response.json()) as RejectionBody;
  t.like(body, { row: 2, status: 400, type: rejection!.type });
  t.is(hrefOf(body, 'up'), server.at(`/imports/${job.id}`));
  // Row 1 made a ticket: it has no problem to show.
  await expectProblem(t, await admin(`/imports/${job.id}/rejections/1`), 404);
  await expectProblem(t, await admin(`/imports/${job.id}/rejections/3`), 404);
});

test.serial('an import whose every row is refused is done, having created nothing', async (t) => {
  const before = await holdings();
  const job = await finished(
    (await importRows([{ title: 'no requester' }, { requester: 'no-title@customers.example' }])).location,
  );
  t.like(job, { state: 'done', progress: { total: 2, processed: 2, created: 0, rejected: 2 } });
  t.deepEqual(await ticketsOf(job), []);
  t.is((await holdings()).tickets, before.tickets);
});

test('NDJSON is read as one ticket per line, and a refused row is numbered by its line', async (t) => {
  const tag = unique('ndjson').replace(/\s/g, '-');
  const lines = [ticketRow(tag, 1), { title: `${tag} no requester` }, ticketRow(tag, 3)]
    .map((row) => JSON.stringify(row))
    .join('\n');
  const job = await finished((await importRows(`${lines}\n`)).location);
  t.like(job, { state: 'done', progress: { total: 3, created: 2, rejected: 1 } });
  t.deepEqual(
    (await rejectionsOf(job)).map((r) => [r.row, namedFields(r)]),
    [[2, ['#/requester']]],
  );
  t.deepEqual((await ticketsOf(job)).map((ticket) => ticket.title).sort(), [`${tag} row 1`, `${tag} row 3`]);
});

test('an import may be far larger than the 100 kB other bodies are limited to', async (t) => {
  const tag = unique('large').replace(/\s/g, '-');
  const rows = Array.from({ length: 600 }, (_, n) => ({ ...ticketRow(tag, n), description: 'x'.repeat(250) }));
  t.true(JSON.stringify(rows).length > 150_000);
  const job = await finished((await importRows(rows)).location);
  t.like(job, { state: 'done', progress: { total: 600, created: 600, rejected: 0 } });
  const count = await server.inspect(async (db) =>
    Number(
      (
        await db
          .selectFrom('import_rows')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('import_id', '=', job.id)
          .where('ticket_id', 'is not', null)
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );
  t.is(count, 600);
});

// JSON text by hand: in a JavaScript object literal `__proto__` would set the prototype, not make a key.
const POLLUTING_ROWS = (tag: string) => [
  JSON.stringify(ticketRow(tag, 1)),
  `{"__proto__": {"polluted": "yes", "status": "closed", "priority": "urgent"}, "title": "${tag} row 2", "requester": "row2@customers.example"}`,
  JSON.stringify(ticketRow(tag, 3)),
  `{"title": "${tag} row 4", "requester": "row4@customers.example", "constructor": {"prototype": {"polluted": "yes"}}}`,
];
const AS_BODY = {
  'a JSON array': (rows: string[]) => ({ 'Content-Type': 'application/json', body: `[${rows.join(',')}]` }),
  NDJSON: (rows: string[]) => ({ 'Content-Type': 'application/x-ndjson', body: `${rows.join('\n')}\n` }),
};

for (const [format, asBody] of Object.entries(AS_BODY)) {
  test.serial(
    `a row with a __proto__ or constructor key in ${format} is refused alone, naming the key, and pollutes nothing`,
    async (t) => {
      const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
      const tag = unique('proto').replace(/\s/g, '-');
      const { body, ...headers } = asBody(POLLUTING_ROWS(tag));
      const response = await admin('/imports', { method: 'POST', headers, body });
      t.is(response.status, 202);
      const job = await finished(response.headers.get('location')!);
      t.like(job, { state: 'done', progress: { total: 4, processed: 4, created: 2, rejected: 2 } });
      t.deepEqual(
        (await rejectionsOf(job)).map((r) => [r.row, namedFields(r)]),
        [
          [2, ['#/__proto__']],
          [4, ['#/constructor']],
        ],
      );

      // The server runs in this process: its objects and ours share Object.prototype.
      t.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
      t.is(({} as Record<string, unknown>).polluted, undefined);
      // The rows beside them made tickets with exactly the fields a ticket created alone has, and its defaults.
      const alone = (await (await admin('/tickets', json('POST', ticketRow(tag, 5)))).json()) as TicketBody;
      const tickets = await ticketsOf(job);
      t.deepEqual(tickets.map((ticket) => ticket.title).sort(), [`${tag} row 1`, `${tag} row 3`]);
      for (const ticket of tickets) {
        t.deepEqual(Object.keys(ticket).sort(), Object.keys(alone).sort());
        t.like(ticket, { status: alone.status, priority: alone.priority });
      }
    },
  );
}

const NOT_ROWS: { name: string; init: RequestInit; status: number; fields?: string[]; detail?: RegExp }[] = [
  {
    name: 'a JSON object',
    init: json('POST', { title: 'one ticket', requester: 'a@customers.example' }),
    status: 400,
    fields: ['#'],
    detail: /array/,
  },
  { name: 'an empty array', init: json('POST', []), status: 400, fields: ['#'], detail: /no rows/ },
  {
    name: 'an array with non-objects',
    init: json('POST', [ticketRow('x', 1), 3, null, [], 'text']),
    status: 400,
    fields: ['#/1', '#/2', '#/3', '#/4'],
    detail: /row 2, row 3, row 4, row 5/,
  },
  {
    name: 'malformed JSON',
    init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[{"title": ' },
    status: 400,
    detail: /JSON/,
  },
  {
    name: 'a JSON scalar',
    init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '42' },
    status: 400,
  },
  { name: 'no body', init: { method: 'POST' }, status: 400, detail: /JSON array/ },
  {
    name: 'NDJSON with a line that is not JSON',
    init: {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: `${JSON.stringify(ticketRow('x', 1))}\n{oops\n`,
    },
    status: 400,
    fields: ['#/1'],
    detail: /line 2/,
  },
  {
    name: 'NDJSON with a blank line',
    init: {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: `${JSON.stringify(ticketRow('x', 1))}\n\n${JSON.stringify(ticketRow('x', 2))}\n`,
    },
    status: 400,
    fields: ['#/1'],
    detail: /line 2/,
  },
  {
    name: 'NDJSON with a line that is an array',
    init: {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: `[${JSON.stringify(ticketRow('x', 1))}]`,
    },
    status: 400,
    fields: ['#/0'],
    detail: /line 1/,
  },
  {
    name: 'text/plain',
    init: { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify([ticketRow('x', 1)]) },
    status: 415,
  },
  {
    name: 'a form',
    init: { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'title=x' },
    status: 415,
  },
];

for (const { name, init, status, fields, detail } of NOT_ROWS) {
  test.serial(`a body that is ${name} is ${status}, naming what is wrong, and starts no job`, async (t) => {
    const before = await holdings();
    const problem = await expectProblem(t, await admin('/imports', init), status);
    if (fields) t.deepEqual(namedFields(problem), fields);
    if (detail) t.regex(`${problem.detail} ${(problem.errors ?? []).map((e) => e.detail).join(' ')}`, detail);
    t.deepEqual(await holdings(), before);
  });
}

test.serial('a body past 10 MB is 413 and starts no job', async (t) => {
  const before = await holdings();
  const row = JSON.stringify({ ...ticketRow('huge', 1), description: 'y'.repeat(9_000) });
  const body = `[${Array.from({ length: 1_200 }, () => row).join(',')}]`;
  t.true(body.length > 10 * 1024 * 1024);
  const problem = await expectProblem(
    t,
    await admin('/imports', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
    413,
  );
  t.regex(problem.detail, /10 MB/);
  t.deepEqual(await holdings(), before);
});

test.serial(
  'agents and admins are shown imports and may import; requesters are refused with 403, anonymous callers with 401',
  async (t) => {
    const [agent, requester] = await Promise.all([server.mint('agent'), server.mint('requester')]);
    const homeLinks = async (token: string | null) =>
      Object.keys(((await (await server.as(token).fetch('/')).json()) as HalDocument)._links);
    t.true((await homeLinks(server.adminToken)).includes('imports'));
    t.true((await homeLinks(agent)).includes('imports'));
    t.false((await homeLinks(requester)).includes('imports'));
    t.false((await homeLinks(null)).includes('imports'));

    const byAgent = await submitImport(server.as(agent).fetch, [ticketRow('agent', 1)]);
    t.like(await untilFinished(server.as(agent).fetch, byAgent.location), {
      state: 'done',
      submittedBy: byAgent.body.submittedBy,
      progress: { created: 1 },
    });

    const before = await holdings();
    for (const [token, status] of [
      [requester, 403],
      [null, 401],
    ] as const) {
      const as = server.as(token);
      await expectProblem(t, await as.fetch('/imports', json('POST', [ticketRow('refused', 1)])), status);
      await expectProblem(t, await as.fetch('/imports'), status);
      await expectProblem(t, await as.fetch(byAgent.location), status);
      await expectProblem(t, await as.fetch(`${byAgent.location}/rejections`), status);
    }
    t.deepEqual(await holdings(), before);
  },
);

test('the imports collection lists jobs, paged like the others, and offers a default HAL-FORMS template', async (t) => {
  for (let n = 0; n < 3; n += 1) await importRows([ticketRow('listed', n)]);
  const first = await getJson<Page<ImportBody>>(server, '/imports?size=2');
  t.is(first.status, 200);
  t.deepEqual(halViolations(first.body), []);
  t.true(first.body.page.totalElements >= 3);
  t.is(embedded(first.body, 'imports').length, 2);
  const second = await getJson<Page<ImportBody>>(server, hrefOf(first.body, 'next'));
  const ids = [...embedded(first.body, 'imports'), ...embedded(second.body, 'imports')].map(
    (job) => (job as ImportBody).id,
  );
  t.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
    'oldest first, as every collection',
  );
  t.is(new Set(ids).size, ids.length);

  const forms = await getJson<
    HalDocument & { _templates: Record<string, { method: string; contentType: string; target: string }> }
  >(server, '/imports', { headers: { Accept: HAL_FORMS } });
  t.like(forms.body._templates.default, {
    method: 'POST',
    contentType: 'application/json',
    target: server.at('/imports'),
  });
  await expectProblem(t, await admin('/imports?size=0'), 400);
});

test('a job has an ETag that changes as it moves, and a current copy is answered 304', async (t) => {
  const { location, response } = await importRows([ticketRow('etag', 1)]);
  const queuedTag = response.headers.get('etag');
  t.truthy(queuedTag);
  await finished(location);
  const done = await admin(location);
  const doneTag = done.headers.get('etag');
  t.truthy(doneTag);
  t.not(doneTag, queuedTag);
  t.is((await admin(location, { headers: { 'If-None-Match': doneTag! } })).status, 304);
});

test('the tickets filter by import shows only the tickets that import created, and refuses a bad import parameter', async (t) => {
  const [a, b] = await Promise.all([
    importRows([ticketRow('first-import', 1), ticketRow('first-import', 2)]),
    importRows([ticketRow('second-import', 1)]),
  ]);
  const [jobA, jobB] = await Promise.all([finished(a.location), finished(b.location)]);
  t.deepEqual(
    (await ticketsOf(jobA)).map((ticket) => ticket.tags[0]),
    ['first-import', 'first-import'],
  );
  t.deepEqual(
    (await ticketsOf(jobB)).map((ticket) => ticket.tags[0]),
    ['second-import'],
  );
  const listing = await getJson<Page<TicketBody>>(server, hrefOf(jobA, 'tickets'));
  t.is(listing.body.page.totalElements, 2);
  t.true(hrefOf(listing.body, 'self').includes(`import=${jobA.id}`), 'page links keep the filter');
  for (const bad of ['abc', '0', '-1'])
    t.deepEqual(namedFields(await expectProblem(t, await admin(`/tickets?import=${bad}`), 400)), ['?import']);
  t.is((await getJson<Page<TicketBody>>(server, '/tickets?import=999999')).body.page.totalElements, 0);
});

test('an import that does not exist is 404, as are its rejections', async (t) => {
  await expectProblem(t, await admin('/imports/999999'), 404);
  await expectProblem(t, await admin('/imports/abc'), 404);
  await expectProblem(t, await admin('/imports/999999/rejections'), 404);
  t.is((await send(server, '/imports/999999/rejections/1')).status, 404);
});

test('a job not yet run tells its pollers to come back after the workers next look, in whole seconds', async (t) => {
  // Workers that look every 90.5 s: the job stays queued for the length of the test.
  const idle = await startTestServer({ IMPORT_POLL_MS: '90500', IMPORT_LEASE_MS: '300000' });
  try {
    const { location, response } = await submitImport(idle.fetch, [ticketRow('waiting', 1)]);
    t.is(response.headers.get('retry-after'), '91');
    const polled = await idle.fetch(location);
    t.is(polled.headers.get('retry-after'), '91');
    t.like(await polled.json(), { state: 'queued', progress: { processed: 0 } });
  } finally {
    await idle.close();
  }
});
