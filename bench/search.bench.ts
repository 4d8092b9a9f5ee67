// Issue 13: search at a million tickets, on SQLite and PostgreSQL. Each query's latency (one request at a time,
// p50 and p99) next to GET of one ticket in the same run, on /search and /tickets?q=, and the worst wait of a
// /health probe sent while searches for a word in every ticket keep the server busy. The generated databases are
// kept in bench/.cache (BENCH_CACHE) between runs: loading a million tickets takes minutes here.
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import type { ChildServer } from './lib/child.ts';
import { AS_ADMIN, startHelpdesk } from './lib/helpdesk.ts';
import { BENCH_CACHE, cachedTickets, fillPostgresTickets } from './lib/million.ts';
import { type Cluster, isFilled, markFilled, startCluster } from './lib/postgres.ts';
import { median } from './lib/rounds.ts';
import { type Cell, printTable, verdict } from './lib/table.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const MILLION = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');

/** Every kind of query the issue names: a word in every ticket, a rare word, two words, no match, with a status. */
const QUERIES: [string, string][] = [
  ['word in every ticket', 'q=printer'],
  ['rare word', 'q=999999'],
  ['two words, rare', 'q=case%20123456'],
  ['two words, 1,111 matches', 'q=case%20123'],
  ['two words, no match', 'q=night%20shift'],
  ['no match', 'q=zebra'],
  ['common word, status=open', 'q=fails&status=open'],
  // Each word begins ~111,000 others ("5", "50", "5123"…) and no ticket holds all three: GIN gathers every row of each.
  ['short prefixes, no match', 'q=5%206%209'],
];
const ONE_TICKET = `/tickets/${Math.ceil(MILLION / 2)}`;

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** One GET over a kept-alive connection: its status and how long the answer took, ms. */
function timedGet(
  url: string,
  path: string,
  headers: Record<string, string> = AS_ADMIN,
): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    request(new URL(path, url), { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
    })
      .on('error', reject)
      .end();
  });
}

/** Requests one at a time for `seconds`: latencies, and how many answers were not 200. */
async function sequential(
  url: string,
  path: string,
  seconds: number,
): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const { status, ms } = await timedGet(url, path);
    if (status !== 200) failures += 1;
    latencies.push(ms);
  }
  return { latencies, failures };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** p50 and p99 of each path, as medians over alternating rounds (one warm-up round thrown away). */
async function latencies(
  url: string,
  paths: string[],
): Promise<Map<string, { p50: number; p99: number; failures: number }>> {
  const seen = new Map(paths.map((path) => [path, { p50: [] as number[], p99: [] as number[], failures: 0 }]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const path of paths) {
      const { latencies: measured, failures } = await sequential(url, path, SECONDS);
      if (round === 0) continue;
      const entry = seen.get(path)!;
      entry.p50.push(percentile(measured, 50));
      entry.p99.push(percentile(measured, 99));
      entry.failures += failures;
    }
  }
  return new Map(
    [...seen].map(([path, m]) => [path, { p50: median(m.p50), p99: median(m.p99), failures: m.failures }]),
  );
}

/** The worst wait of /health probes (one every 5 ms) while `connections` clients search for `path` without pause. */
async function healthBeside(
  url: string,
  path: string,
  connections: number,
  seconds: number,
): Promise<{ worst: number; p99: number; searches: number }> {
  let running = true;
  let searches = 0;
  const load = Array.from({ length: connections }, async () => {
    while (running) {
      await timedGet(url, path);
      searches += 1;
    }
  });
  const waits: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    waits.push((await timedGet(url, '/health', {})).ms);
    await new Promise((pause) => setTimeout(pause, 5));
  }
  running = false;
  await Promise.all(load);
  return { worst: Math.max(...waits), p99: percentile(waits, 99), searches };
}

/** The engine's database of a million tickets, from the cache or made now. */
async function database(engine: string): Promise<{ url: string; cluster?: Cluster; note: string }> {
  const started = Date.now();
  if (engine === 'sqlite') {
    const { path, made } = await cachedTickets(MILLION);
    return {
      url: `file:${path}`,
      note: made ? `loaded in ${((Date.now() - started) / 1000).toFixed(0)} s` : `from ${path}`,
    };
  }
  const folder = join(BENCH_CACHE, `postgres-${MILLION}`);
  const filled = isFilled(folder);
  // A folder without the mark was left by an interrupted load: start again from nothing.
  if (!filled) rmSync(folder, { recursive: true, force: true });
  const cluster = await startCluster(folder);
  if (!filled) {
    await fillPostgresTickets(cluster.url, MILLION);
    markFilled(folder);
  }
  return {
    url: cluster.url,
    cluster,
    note: filled ? `from ${folder}` : `loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  };
}

const rows: Cell[][] = [];
const health: Cell[][] = [];
for (const engine of ENGINES) {
  const { url, cluster, note } = await database(engine);
  console.log(`\n(${engine}: ${MILLION.toLocaleString('en')} tickets, ${note})`);
  let server: ChildServer | undefined;
  try {
    server = await startHelpdesk(url);
    // /search has no status filter: a status asks the list alone.
    const paths = [
      ONE_TICKET,
      ...QUERIES.flatMap(([, query]) => [
        ...(query.includes('status') ? [] : [`/search?${query}`]),
        `/tickets?${query}&size=20`,
      ]),
    ];
    const measured = await latencies(server.url, paths);
    const get = measured.get(ONE_TICKET)!;
    rows.push([engine, 'GET one ticket', ONE_TICKET, get.p50, get.p99, '', '', '', get.failures]);
    for (const path of paths.slice(1)) {
      const m = measured.get(path)!;
      const p50 = m.p50 / get.p50;
      const p99 = m.p99 / get.p50;
      const name = QUERIES.find(([, query]) => path.includes(`?${query}`))![0];
      const pass = verdict(p50, 5, 'at most') === 'PASS' && verdict(p99, 20, 'at most') === 'PASS';
      rows.push([engine, name, path, m.p50, m.p99, p50, p99, pass ? 'PASS' : 'MISS', m.failures]);
    }
    const beside = await healthBeside(server.url, '/search?q=printer', 4, 3 * SECONDS);
    health.push([
      engine,
      '/search?q=printer × 4 clients',
      beside.searches,
      beside.p99,
      beside.worst,
      '<= 50',
      verdict(beside.worst, 50, 'at most'),
    ]);
  } finally {
    await server?.stop();
    cluster?.stop();
  }
}
printTable(
  `Search at ${MILLION.toLocaleString('en')} tickets: latency one request at a time vs GET one ticket (median of ${ROUNDS} alternating ${SECONDS} s rounds)`,
  ['engine', 'query', 'URL', 'p50 ms', 'p99 ms', 'p50 / GET p50', 'p99 / GET p50', 'target ≤ 5× / ≤ 20×', 'failed'],
  rows,
);
printTable(
  'Waiting beside searches: /health probes (one every 5 ms) while 4 clients search for a word in every ticket',
  ['engine', 'load', 'searches answered', 'health p99 ms', 'health worst ms', 'target ms', 'verdict'],
  health,
);
agent.destroy();
