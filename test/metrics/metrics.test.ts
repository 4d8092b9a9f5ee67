import test from 'ava';
import { type HalDocument, expand, HAL_FORMS, linkOf } from '../helpers/hypermedia.ts';
import { type Sample, parseExposition, valueOf } from '../helpers/metrics.ts';
import { type TestServer, json, startTestServer } from '../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server.close());

async function scrape(): Promise<Sample[]> {
  const response = await server.fetch('/metrics');
  if (response.status !== 200) throw new Error(`/metrics: ${response.status}`);
  return parseExposition(await response.text());
}

// Every test here is serial: each reads counters before and after its own calls, and they must not mix.

test.serial(
  '/metrics answers Prometheus text, to what Prometheus asks for, and nothing in / links to it',
  async (t) => {
    for (const accept of [
      undefined,
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    ]) {
      const response = await server.fetch('/metrics', accept ? { headers: { Accept: accept } } : {});
      t.is(response.status, 200);
      t.regex(response.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await response.text();
      for (const family of [
        'http_requests_total counter',
        'http_request_duration_seconds histogram',
        'helpdesk_v1_calls_total counter',
      ]) {
        t.true(text.includes(`# TYPE ${family}`), family);
      }
      t.true(parseExposition(text).length > 0);
    }
    for (const [path, accept] of [
      ['/', 'application/hal+json'],
      ['/', HAL_FORMS],
      ['/v1/', 'application/hal+json'],
    ]) {
      const response = await server.fetch(path!, { headers: { Accept: accept! } });
      t.false((await response.text()).includes('metrics'), `${path} as ${accept} mentions no metrics`);
      t.false((response.headers.get('link') ?? '').includes('metrics'));
    }
  },
);

test.serial(
  'each call to contract v1 is counted once under its caller, and calls to the current contract are not',
  async (t) => {
    // Anonymous, so the caller is named by its User-Agent (an authenticated caller is named by its token).
    const legacy = { 'User-Agent': 'legacy-client/1.0', Authorization: '' };
    const other = { 'User-Agent': 'other-client/2.0', Authorization: '' };
    const before = await scrape();
    const v1Home = (await (await server.fetch('/v1/', { headers: legacy })).json()) as HalDocument;
    const calls = [
      expand(linkOf(v1Home, 'faqs').href),
      expand(linkOf(v1Home, 'faqs').href, { status: 'published' }),
      expand(linkOf(v1Home, 'faq').href, { id: '987654' }), // a 404 is a call too
    ];
    for (const path of calls) await (await server.fetch(path, { headers: legacy })).arrayBuffer();
    await (await server.fetch('/v1/', { headers: other })).arrayBuffer();
    await (await server.fetch('/faqs', { headers: legacy })).arrayBuffer();
    await (await server.fetch('/', { headers: legacy })).arrayBuffer();
    const after = await scrape();

    const calledBy = (samples: Sample[], caller: string) => valueOf(samples, 'helpdesk_v1_calls_total', { caller });
    t.is(calledBy(after, 'legacy-client/1.0') - calledBy(before, 'legacy-client/1.0'), 1 + calls.length);
    t.is(calledBy(after, 'other-client/2.0') - calledBy(before, 'other-client/2.0'), 1);
  },
);

test.serial('requests are counted and timed by route template, method, status and API version', async (t) => {
  const home = (await (await server.fetch('/')).json()) as HalDocument;
  const created = await server.fetch(
    expand(linkOf(home, 'tickets').href),
    json('POST', { title: 'Measured', requester: 'metrics@customers.example' }),
  );
  const ticket = (await created.json()) as HalDocument;
  const v1Faq = await server.fetch('/v1/faqs', json('POST', { question: 'Is v1 measured?' }));
  const faq = (await v1Faq.json()) as HalDocument;

  const before = await scrape();
  for (let i = 0; i < 2; i++) await (await server.fetch(linkOf(ticket, 'self').href)).arrayBuffer();
  await (await server.fetch(expand(linkOf(home, 'ticket').href, { id: 987654 }))).arrayBuffer();
  await (await server.fetch(linkOf(faq, 'self').href)).arrayBuffer();
  await (await server.fetch('/no/such/place/42')).arrayBuffer();
  const after = await scrape();

  const delta = (name: string, labels: Record<string, string>) =>
    valueOf(after, name, labels) - valueOf(before, name, labels);
  const ticketOk = { route: '/tickets/{id}', method: 'GET', status: '200', api_version: 'current' };
  t.is(delta('http_requests_total', ticketOk), 2);
  t.is(delta('http_requests_total', { ...ticketOk, status: '404' }), 1);
  t.is(delta('http_request_duration_seconds_count', ticketOk), 2);
  t.is(delta('http_request_duration_seconds_bucket', { ...ticketOk, le: '+Inf' }), 2);
  t.true(delta('http_request_duration_seconds_sum', ticketOk) > 0);
  t.is(delta('http_request_duration_seconds_count', { ...ticketOk, status: '404' }), 1);

  const v1Ok = { route: '/v1/faqs/{id}', method: 'GET', status: '200', api_version: 'v1' };
  t.is(delta('http_requests_total', v1Ok), 1);
  t.is(delta('http_request_duration_seconds_count', v1Ok), 1);

  // Addresses that match no route are counted together, never by their raw path.
  t.is(delta('http_requests_total', { route: 'unmatched', method: 'GET', status: '404', api_version: 'current' }), 1);
  t.deepEqual(
    after.filter((s) => Object.values(s.labels).some((v) => v.includes('987654') || v.includes('/no/such'))),
    [],
  );
  t.deepEqual(
    after.filter((s) => s.name === 'http_requests_total' && /\/\d/.test(s.labels.route ?? '')),
    [],
    'no concrete ids in route labels',
  );
});

/** Holds the event loop (shared with the in-process server) for `ms`, as a synchronous computation would. */
function block(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test.serial(
  "the event loop's delay is exported: a 300 ms stall shows in nodejs_eventloop_lag_max_seconds at the next scrape",
  async (t) => {
    const families = await (await server.fetch('/metrics')).text();
    for (const name of ['lag', 'lag_min', 'lag_max', 'lag_mean', 'lag_stddev', 'lag_p50', 'lag_p90', 'lag_p99']) {
      t.true(families.includes(`# TYPE nodejs_eventloop_${name}_seconds gauge`), name);
    }
    // The delays since the previous scrape: this one starts the window, the stall falls in it. The scrape's reset
    // also forgets when the monitor last ticked, so the tick after it only marks the time: were the stall the
    // first interval after the reset (the next test file on the same cores can make it so), it would go unseen.
    await new Promise((resolve) => setTimeout(resolve, 50));
    block(300);
    // The delay is recorded when the monitor's timer finally fires, which a request handled in the same turn of
    // the loop could come before.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await scrape();
    t.true(
      valueOf(after, 'nodejs_eventloop_lag_max_seconds', {}) >= 0.25,
      JSON.stringify(after.filter((s) => s.name.startsWith('nodejs_eventloop'))),
    );
    t.true(
      valueOf(after, 'nodejs_eventloop_lag_p99_seconds', {}) <= valueOf(after, 'nodejs_eventloop_lag_max_seconds', {}),
    );
  },
);

test.serial(
  'every family is named as promtool check metrics wants: counters end in _total, and nothing else does',
  async (t) => {
    const text = await (await server.fetch('/metrics')).text();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name: name!, type: type! }));
    t.true(types.length > 10);
    t.deepEqual(
      types.filter(({ name, type }) => (type === 'counter') !== name.endsWith('_total')),
      [],
    );
    for (const { name } of types) t.regex(text, new RegExp(`^# HELP ${name} \\S`, 'm'), `${name} has its HELP`);
  },
);
