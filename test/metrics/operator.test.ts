// The series an operator watches, read as Prometheus reads them: with the scrape secret (METRICS_TOKEN), after a
// walk over every route and a bulk import, and checked by Prometheus's own `promtool check metrics`.
import { spawnSync } from 'node:child_process';
import test from 'ava';
import { sql } from 'kysely';
import pg from 'pg';
import { endpoints } from '../../src/links/registry.ts';
import { testEngine } from '../helpers/database.ts';
import { submitImport, ticketRow, untilFinished } from '../helpers/imports.ts';
import { type Sample, parseExposition, sumOf, valueOf } from '../helpers/metrics.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

const METRICS_TOKEN = `scrape-${'5'.repeat(40)}`;
const PROMTOOL = 'promtool';

let server: TestServer;
test.before(async () => {
  server = await startTestServer({ METRICS_TOKEN, IMPORT_POLL_MS: '20' });
});
test.after.always(() => server?.close());

/** What Prometheus gets, asking as its scrape_config says: with the scrape secret. */
async function scrapeText(): Promise<string> {
  const response = await server.as(METRICS_TOKEN).fetch('/metrics');
  if (response.status !== 200) throw new Error(`/metrics: ${response.status} ${await response.text()}`);
  return response.text();
}
const scrape = async (): Promise<Sample[]> => parseExposition(await scrapeText());

/** Requests every route once (a 404 or 405 counts as much as a 200: it is still that route's request). */
async function walkEveryRoute(): Promise<void> {
  const ticket = (await (
    await server.fetch('/tickets', json('POST', { title: 'Walked', requester: 'walk@customers.example' }))
  ).json()) as { id: number };
  const faq = (await (await server.fetch('/faqs', json('POST', { question: 'Walked?' }))).json()) as { id: number };
  const { body: job, location } = await submitImport(server.fetch, [ticketRow('walk', 1), {}]);
  await untilFinished(server.fetch, location);
  const token = (await (await server.fetch('/tokens', json('POST', { name: 'walker', role: 'agent' }))).json()) as {
    id: number;
  };
  const ids: Record<string, number> = {
    ticket: ticket.id,
    faq: faq.id,
    v1Faq: faq.id,
    import: job.id,
    token: token.id,
  };
  for (const [name, endpoint] of Object.entries(endpoints)) {
    const id = Object.entries(ids).find(([prefix]) => name.startsWith(prefix))?.[1] ?? 1;
    const href = endpoint.href({ id, row: 2, name: 'ticket', rel: 'promote', kind: 'not-found' });
    await (await server.fetch(href)).arrayBuffer();
  }
}

// Serial: each test reads counters before and after its own calls.

test.serial(
  'after a walk over every route and an import, each route is a label of its own, and promtool finds nothing to fault',
  async (t) => {
    await walkEveryRoute();
    const text = await scrapeText();
    const routes = new Set(
      parseExposition(text)
        .filter((s) => s.name === 'http_requests_total')
        .map((s) => s.labels.route),
    );
    for (const [name, endpoint] of Object.entries(endpoints))
      t.true(routes.has(endpoint.path), `${name}: ${endpoint.path}`);
    for (const family of [
      'helpdesk_import_jobs',
      'helpdesk_import_rows_processed_total',
      'helpdesk_import_job_duration_seconds',
      'helpdesk_database_query_duration_seconds',
      'helpdesk_rate_limit_refusals_total',
    ]) {
      t.regex(text, new RegExp(`^# TYPE ${family} `, 'm'), family);
    }
    // Debian's package `prometheus` (.ci/run installs it): without it this fails, it is never skipped.
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (check.error) throw new Error(`cannot run ${PROMTOOL} (apt-get install -y prometheus): ${check.error.message}`);
    t.is(check.status, 0, check.stdout + check.stderr);
    t.is((check.stdout + check.stderr).trim(), '', 'no lint problem');
  },
);

test.serial(
  'the probes, and answers given before routing (401, 405), are counted under their route, not as unmatched',
  async (t) => {
    const before = await scrape();
    await (await server.fetch('/health')).arrayBuffer();
    await (await server.fetch('/ready')).arrayBuffer();
    await (await server.fetch('/health', { method: 'POST' })).arrayBuffer();
    const unknown = await server.as(`hd_${'0'.repeat(40)}`).fetch('/tickets/1');
    t.is(unknown.status, 401);
    const wrongMethod = await server.fetch('/tickets/1/promote');
    t.is(wrongMethod.status, 405);
    const after = await scrape();
    const delta = (labels: Record<string, string>) =>
      valueOf(after, 'http_requests_total', { api_version: 'current', ...labels }) -
      valueOf(before, 'http_requests_total', { api_version: 'current', ...labels });
    t.is(delta({ route: '/health', method: 'GET', status: '200' }), 1);
    t.is(delta({ route: '/ready', method: 'GET', status: '200' }), 1);
    t.is(delta({ route: '/health', method: 'POST', status: '405' }), 1);
    t.is(delta({ route: '/tickets/{id}', method: 'GET', status: '401' }), 1);
    t.is(delta({ route: '/tickets/{id}/promote', method: 'GET', status: '405' }), 1);
    t.is(
      sumOf(after, 'http_requests_total', { route: 'unmatched' }) -
        sumOf(before, 'http_requests_total', { route: 'unmatched' }),
      0,
    );
  },
);

test.serial('an import counts its rows processed and refused, its duration, and the jobs by state', async (t) => {
  const before = await scrape();
  const rows = [
    ticketRow('metered', 1),
    { title: '' },
    ticketRow('metered', 2),
    { requester: 'no-title@customers.example' },
    ticketRow('metered', 3),
  ];
  const { location } = await submitImport(server.fetch, rows);
  const job = await untilFinished(server.fetch, location);
  t.is(job.state, 'done');
  const after = await scrape();
  const delta = (name: string, labels: Record<string, string> = {}) =>
    valueOf(after, name, labels) - valueOf(before, name, labels);
  t.is(delta('helpdesk_import_rows_processed_total'), 5);
  t.is(delta('helpdesk_import_rows_rejected_total'), 2);
  t.is(delta('helpdesk_import_job_duration_seconds_count', { outcome: 'done' }), 1);
  t.true(delta('helpdesk_import_job_duration_seconds_sum', { outcome: 'done' }) > 0);
  t.is(delta('helpdesk_import_job_duration_seconds_count', { outcome: 'failed' }), 0);
  // Read from the database at the scrape: every job this server ever ran is done.
  const jobs = await server.inspect((db) => db.selectFrom('imports').select('state').execute());
  for (const state of ['receiving', 'queued', 'running', 'done', 'failed', 'expired']) {
    t.is(valueOf(after, 'helpdesk_import_jobs', { state }), jobs.filter((j) => j.state === state).length, state);
  }
  t.is(
    valueOf(after, 'helpdesk_import_jobs', { state: 'done' }) -
      valueOf(before, 'helpdesk_import_jobs', { state: 'done' }),
    1,
  );
});

test.serial(`database queries are timed by operation and engine (${testEngine})`, async (t) => {
  const before = await scrape();
  const created = await server.fetch(
    '/tickets',
    json('POST', { title: 'Timed', requester: 'timed@customers.example' }),
  );
  t.is(created.status, 201);
  const location = created.headers.get('location')!;
  await (await server.fetch(location)).arrayBuffer();
  await (
    await server.fetch(location, json('PATCH', { status: 'closed' }, { 'If-Match': created.headers.get('etag')! }))
  ).arrayBuffer();
  const after = await scrape();
  const count = (operation: string) =>
    valueOf(after, 'helpdesk_database_query_duration_seconds_count', { operation, engine: testEngine }) -
    valueOf(before, 'helpdesk_database_query_duration_seconds_count', { operation, engine: testEngine });
  for (const operation of ['select', 'insert', 'update']) t.true(count(operation) >= 1, operation);
  t.true(
    valueOf(after, 'helpdesk_database_query_duration_seconds_sum', { operation: 'select', engine: testEngine }) > 0,
  );
  // Only this server's engine has series.
  t.deepEqual(
    after.filter((s) => s.name.startsWith('helpdesk_database_query') && s.labels.engine !== testEngine),
    [],
  );
});

test.serial(
  'on PostgreSQL the pool is read at each scrape: connections in use and idle, its maximum, queries waiting; SQLite has no pool',
  async (t) => {
    const samples = await scrape();
    const pool = samples.filter((s) => s.name.startsWith('helpdesk_database_pool_'));
    if (testEngine === 'sqlite') return t.deepEqual(pool, []);
    const inUse = valueOf(samples, 'helpdesk_database_pool_connections', { state: 'in_use' });
    const idle = valueOf(samples, 'helpdesk_database_pool_connections', { state: 'idle' });
    t.true(inUse + idle >= 1, 'the pool has a connection open');
    t.is(valueOf(samples, 'helpdesk_database_pool_max_connections', {}), 10);
    t.is(valueOf(samples, 'helpdesk_database_pool_waiting_queries', {}), 0);

    // Another client locks the tickets: reads of a ticket hold every connection of the pool while they wait for
    // it, and the reads past ten wait for a connection.
    const created = (await (
      await server.fetch('/tickets', json('POST', { title: 'Locked', requester: 'locked@customers.example' }))
    ).json()) as { id: number };
    const locker = new pg.Client({ connectionString: server.config.databaseUrl });
    await locker.connect();
    t.teardown(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE');
    const reads = Array.from({ length: 13 }, async () => (await server.fetch(`/tickets/${created.id}`)).status);
    // Read outside the locker's transaction, which would keep seeing its first snapshot of the activity.
    const waitingOnLock = () =>
      server.inspect(async (db) =>
        Number(
          (
            await sql<{
              n: string;
            }>`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'helpdesk' AND wait_event_type = 'Lock' AND datname = current_database()`.execute(
              db,
            )
          ).rows[0]!.n,
        ),
      );
    for (let tries = 0; (await waitingOnLock()) < 10; tries++) {
      if (tries > 200) throw new Error(`only ${await waitingOnLock()} connections wait on the lock`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // The pool is read as the scrape begins; the import counts then wait for a connection, until the lock goes.
    const busy = scrape();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await locker.query('COMMIT');
    const during = await busy;
    t.deepEqual(await Promise.all(reads), Array(13).fill(200));
    t.is(valueOf(during, 'helpdesk_database_pool_connections', { state: 'in_use' }), 10);
    t.is(valueOf(during, 'helpdesk_database_pool_connections', { state: 'idle' }), 0);
    // The three reads past ten, and whatever else asked meanwhile (the import worker polls for jobs).
    const waiting = valueOf(during, 'helpdesk_database_pool_waiting_queries', {});
    t.true(waiting >= 3 && waiting <= 5, String(waiting));
    const after = await scrape();
    t.is(valueOf(after, 'helpdesk_database_pool_waiting_queries', {}), 0);
    t.true(valueOf(after, 'helpdesk_database_pool_connections', { state: 'idle' }) >= 1);
  },
);

test.serial('METRICS_TOKEN reads /metrics and nothing else; admins still may, other callers may not', async (t) => {
  const scraper = server.as(METRICS_TOKEN);
  t.is((await scraper.fetch('/metrics')).status, 200);
  for (const path of ['/', '/tickets', '/tokens']) {
    const response = await scraper.fetch(path);
    t.is(response.status, 401, path);
    t.regex(response.headers.get('www-authenticate') ?? '', /invalid_token/);
  }
  t.is(
    (await scraper.fetch('/tickets', json('POST', { title: 'Scraped', requester: 'scraper@customers.example' })))
      .status,
    401,
  );
  t.is((await server.fetch('/metrics')).status, 200, 'the admin token');
  t.is((await server.as(`scrape-${'6'.repeat(40)}`).fetch('/metrics')).status, 401, 'a near miss');
  t.is((await server.as(null).fetch('/metrics')).status, 401, 'anonymous');
  t.is((await server.as(await server.mint('agent')).fetch('/metrics')).status, 403, 'an agent');
  const tickets = await server.inspect((db) =>
    db.selectFrom('tickets').select('id').where('title', '=', 'Scraped').execute(),
  );
  t.deepEqual(tickets, [], 'nothing made with the scrape secret');
});
