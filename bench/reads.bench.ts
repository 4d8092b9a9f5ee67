// Issue 2: reads. What the helpdesk serves per second next to a bare Koa app serving the same bytes, and what
// paging costs at the far end of a million tickets next to the first page, on SQLite, measured side by side.
import { fileURLToPath } from 'node:url';
import { type ChildServer, startChild } from './lib/child.ts';
import { ADMIN_TOKEN, AS_ADMIN, get, post, scratchFolder, startFloor, startHelpdesk } from './lib/helpdesk.ts';
import { type Measured, measure } from './lib/load.ts';
import { fillTickets } from './lib/million.ts';
import { alternate, median } from './lib/rounds.ts';
import { printTable, verdict } from './lib/table.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = 16;
const MILLION = Number(process.env.BENCH_TICKETS ?? 1_000_000);

const BARE_SERVER = fileURLToPath(new URL('lib/bare-server.ts', import.meta.url));
const LEAN_SERVER = fileURLToPath(new URL('lib/lean-server.ts', import.meta.url));
const LEAN_HTTP_SERVER = fileURLToPath(new URL('lib/lean-http-server.ts', import.meta.url));
const scratch = scratchFolder();
const running: ChildServer[] = [];
const rows: (string | number)[][] = [];
const breakdown: (string | number)[][] = [];

async function child(script: string, env: Record<string, string>): Promise<ChildServer> {
  const server = await startChild(script, { execArgv: ['--import', 'tsx'], env, ready: env.READY ?? '/' });
  running.push(server);
  return server;
}

const PARTS = ['store', 'representation', 'serialisation'] as const;

type Compared = Record<'helpdesk' | 'lean' | 'leanHttp' | 'floor' | 'bare' | 'uncached', Measured>;
type Served = Awaited<ReturnType<typeof get>>;

/**
 * The servers the helpdesk is measured against, serving `document`: bare Koa, the lean stack (on Koa, and on
 * node:http alone), the floor, and the helpdesk itself with its answer cache off and spans on.
 */
async function comparedServers(databaseUrl: string, document: Served, route: string) {
  const yardstick = await child(BARE_SERVER, { BARE_BODY: document.body, BARE_TYPE: document.type });
  const leanEnv = {
    LEAN_BODY: document.body,
    LEAN_TYPE: document.type,
    LEAN_ETAG: document.headers.get('etag') ?? '',
    LEAN_LINK: document.headers.get('link') ?? '',
    LEAN_ROUTE: route,
    ADMIN_TOKEN,
    READY: '/ready',
  };
  const lean = await child(LEAN_SERVER, leanEnv);
  const leanHttp = await child(LEAN_HTTP_SERVER, leanEnv);
  const floor = await startFloor(databaseUrl, document);
  running.push(floor);
  const uncached = await startHelpdesk(databaseUrl, { ANSWER_CACHE_ENTRIES: '0', BENCH_SPANS: '1' });
  running.push(uncached);
  return { yardstick, lean, leanHttp, floor, uncached };
}

const cpu = (m: Measured) => Math.round(m.cpuPerAnswer ?? NaN);

/** The row of the ratios table: answers/s of each server, the ratios to bare Koa, and CPU per answer. */
function ratioRow(label: string, document: Served, result: Compared, target: number): void {
  const ratio = result.helpdesk.perSecond / result.bare.perSecond;
  const servers = ['helpdesk', 'lean', 'leanHttp', 'floor', 'bare'] as const;
  rows.push([
    label,
    `${document.body.length} B`,
    ...servers.map((server) => result[server].perSecond),
    ratio,
    result.lean.perSecond / result.bare.perSecond,
    result.leanHttp.perSecond / result.bare.perSecond,
    result.floor.perSecond / result.bare.perSecond,
    `>= ${target}`,
    verdict(ratio, target, 'at least'),
    ...servers.map((server) => cpu(result[server])),
    Object.values(result).reduce((sum, measured) => sum + measured.failures, 0),
  ]);
}

/** The rows of the breakdown table: an answer made anew, by part (span medians), then each kept or bare answer. */
function breakdownRows(label: string, result: Compared, parts: Record<string, number>[]): void {
  const spans = Object.fromEntries(
    PARTS.map((part) => [part, median(parts.slice(1).map((sample) => sample[part]!))]),
  ) as Record<(typeof PARTS)[number], number>;
  const total = result.uncached.cpuPerAnswer ?? NaN;
  const inParts = PARTS.reduce((sum, part) => sum + spans[part], 0);
  breakdown.push([
    `${label}, made anew (cache off)`,
    Math.round(total),
    Math.round(total - inParts),
    Math.round(spans.store),
    Math.round(spans.representation),
    Math.round(spans.serialisation),
    result.uncached.perSecond,
  ]);
  breakdown.push([
    `${label}, kept answer (cache on)`,
    cpu(result.helpdesk),
    cpu(result.helpdesk),
    0,
    0,
    0,
    result.helpdesk.perSecond,
  ]);
  breakdown.push([`${label}, lean stack`, cpu(result.lean), cpu(result.lean), 0, 0, 0, result.lean.perSecond]);
  const leanHttp = result.leanHttp;
  breakdown.push([`${label}, lean stack on node:http`, cpu(leanHttp), cpu(leanHttp), 0, 0, 0, leanHttp.perSecond]);
  breakdown.push([`${label}, bare Koa`, cpu(result.bare), cpu(result.bare), 0, 0, 0, result.bare.perSecond]);
}

/**
 * The helpdesk's throughput on `path` next to a bare Koa app serving the same document, next to the lean stack
 * (only the features every answer needs, as cheap as they go: the limit for these features), and next to the
 * floor: the helpdesk's own middleware answering that document from a fixed route. A fifth server, the helpdesk
 * with its answer cache off and spans on (BENCH_SPANS=1), says where the CPU of an answer made anew goes. All
 * measured in alternating rounds.
 */
async function againstBare(
  helpdesk: ChildServer,
  databaseUrl: string,
  label: string,
  path: string,
  route: string,
  target: number,
): Promise<void> {
  const document = await get(helpdesk.url, path);
  const { yardstick, lean, leanHttp, floor, uncached } = await comparedServers(databaseUrl, document, route);
  const load = { headers: AS_ADMIN, connections: CONNECTIONS, seconds: SECONDS };
  // Span totals per answer, one sample a round (the first, a warm-up, is dropped as alternate drops it).
  const parts: Record<string, number>[] = [];
  const result = await alternate(ROUNDS, {
    helpdesk: () => measure(helpdesk.url, { ...load, path }, helpdesk.cpu),
    lean: () => measure(lean.url, { ...load, path }, lean.cpu),
    leanHttp: () => measure(leanHttp.url, { ...load, path }, leanHttp.cpu),
    floor: () => measure(floor.url, { ...load, path: '/floor' }, floor.cpu),
    bare: () => measure(yardstick.url, { ...load, path }, yardstick.cpu),
    uncached: async () => {
      const before = await uncached.spans();
      const measured = await measure(uncached.url, { ...load, path }, uncached.cpu);
      const after = await uncached.spans();
      const answers = Math.max(1, measured.perSecond * SECONDS);
      parts.push(Object.fromEntries(PARTS.map((part) => [part, ((after[part] ?? 0) - (before[part] ?? 0)) / answers])));
      return measured;
    },
  });
  ratioRow(label, document, result, target);
  breakdownRows(label, result, parts);
  await Promise.all([floor, uncached, lean, leanHttp, yardstick].map((server) => server.stop()));
}

try {
  // A small database: a page of 20 and one ticket, as the ratios ask.
  const smallUrl = `file:${scratch.path('small.db')}`;
  const small = await startHelpdesk(smallUrl);
  running.push(small);
  for (let i = 1; i <= 25; i++) {
    await post(small.url, '/tickets', {
      title: `Printer ${i} is on fire`,
      description: 'Smoke from tray 2.',
      requester: `customer${i}@example.com`,
      tags: ['printer', 'hardware'],
    });
  }
  await againstBare(small, smallUrl, 'GET one ticket (HAL, ETag)', '/tickets/1', '/tickets/:id', 0.4);
  await againstBare(small, smallUrl, 'GET a page of 20 tickets', '/tickets?size=20', '/tickets', 0.9);
  printTable(
    `Reads per second, helpdesk vs bare Koa on the same bytes (${CONNECTIONS} connections, median of ${ROUNDS} alternating ${SECONDS} s rounds)`,
    [
      'request',
      'body',
      'helpdesk/s',
      'lean/s',
      'lean on node:http/s',
      'floor/s',
      'bare Koa/s',
      'ratio',
      'lean ratio (limit on Koa)',
      'lean on node:http ratio',
      'floor ratio',
      'target',
      'verdict',
      'helpdesk CPU µs/answer',
      'lean CPU µs/answer',
      'lean on node:http CPU µs/answer',
      'floor CPU µs/answer',
      'bare CPU µs/answer',
      'failed answers',
    ],
    rows,
  );
  console.log(
    '\n(lean: a synthetic server with only the required features, answering the same bytes already serialised: bench/lib/lean-server.ts;' +
      ' lean on node:http: the same features without Koa, as a kept answer could be given before the framework: bench/lib/lean-http-server.ts;' +
      ' floor: the helpdesk answering the same bytes from a fixed route, through all of its middleware, without storage or HAL)',
  );
  printTable(
    'Server CPU per answer, µs, by part (median of the same rounds; spans timed inside the server with BENCH_SPANS=1)',
    [
      'answer',
      'total CPU',
      'middleware, Koa and HTTP',
      'store',
      'representation (HAL, links)',
      'serialisation (JSON, ETag)',
      'answers/s',
    ],
    breakdown,
  );

  // A million tickets: every page link costs what the first page does.
  const started = Date.now();
  const path = scratch.path('million.db');
  await fillTickets(path, MILLION);
  console.log(`\n(${MILLION.toLocaleString('en')} tickets loaded in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const big = await startHelpdesk(`file:${path}`);
  running.push(big);
  const first = '/tickets?size=20';
  const links = (await get(big.url, first)).json._links;
  const last = links.last!.href;
  const pages: Record<string, string> = {
    first,
    next: links.next!.href,
    prev: (await get(big.url, last)).json._links.prev!.href,
    last,
  };
  let peak = await big.rss();
  const sampling = setInterval(() => void big.rss().then((rss) => (peak = Math.max(peak, rss))), 100);
  const load = (page: string) => () => measure(big.url, { path: page, headers: AS_ADMIN, connections: 1, seconds: 1 });
  const latency: Record<string, Measured> = await alternate(
    ROUNDS,
    Object.fromEntries(Object.entries(pages).map(([name, page]) => [name, load(page)])),
  );
  clearInterval(sampling);
  const deep = Object.entries(pages).map(([name, page]) => {
    const ratio = latency[name]!.mean / latency.first!.mean;
    return [
      name,
      page,
      latency[name]!.mean,
      latency[name]!.p99,
      ratio,
      '<= 1.5',
      verdict(ratio, 1.5, 'at most'),
      latency[name]!.failures,
    ];
  });
  const mb = peak / 2 ** 20;
  deep.push(['server RSS (peak)', '', `${mb.toFixed(0)} MB`, '', '', '< 200 MB', mb < 200 ? 'PASS' : 'MISS', '']);
  printTable(
    `Paging ${MILLION.toLocaleString('en')} tickets: mean latency vs the first page (1 connection, median of ${ROUNDS} alternating 1 s rounds)`,
    ['page', 'URL', 'mean ms', 'p99 ms', 'ratio to first', 'target', 'verdict', 'failed answers'],
    deep,
  );
} finally {
  await Promise.all(running.map((server) => server.stop()));
  scratch.remove();
}
