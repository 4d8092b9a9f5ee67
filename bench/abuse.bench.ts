// Issue 11, "no single request may stall the server": the worst inputs known, sent one at a time to the built
// server (dist/, in a child process), each timed to its answer (and, for an import, to the end of its job) while
// /health is asked every 10 ms from here, and the longest event-loop delay the server itself recorded meanwhile is
// read from /metrics (prom-client's nodejs_eventloop_lag_max_seconds, reset by each scrape). Then every shape of
// test/helpers/pathological.ts, at its largest, in every string field of POST /tickets (BENCH_SWEEP=0 skips it).
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createTicket } from '../src/resources/tickets/schema.ts';
import { SHAPES, jsonBytes, largestFitting } from '../test/helpers/pathological.ts';
import type { ChildServer, Held } from './lib/child.ts';
import { AS_ADMIN, scratchFolder, startHelpdesk } from './lib/helpdesk.ts';
import { BENCH_CACHE } from './lib/million.ts';
import { type Cluster, startCluster } from './lib/postgres.ts';
import { type Cell, printTable, verdict } from './lib/table.ts';

const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite').split(',');
const SWEEP = process.env.BENCH_SWEEP !== '0';
/** The bounds the issue names. */
const ANSWER_MS = 500;
const HEALTH_MS = 100;
const PROBE_EVERY_MS = 10;
const IMPORT_LIMIT = 10 * 1024 * 1024;
const POSTGRES_FOLDER = join(BENCH_CACHE, 'abuse-postgres');

const COMMAND = [
  ...(process.env.BENCH_ENGINES ? [`BENCH_ENGINES=${process.env.BENCH_ENGINES}`] : []),
  ...(process.env.BENCH_SWEEP ? [`BENCH_SWEEP=${process.env.BENCH_SWEEP}`] : []),
  'npm run bench -- abuse',
].join(' ');

// The probes have a connection of their own, so a case's upload never queues them.
const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
const caseAgent = new Agent({ keepAlive: true, maxSockets: 1 });

interface Answer {
  status: number;
  ms: number;
  body: string;
  location: string | undefined;
}

function send(
  url: string,
  path: string,
  {
    method = 'GET',
    body,
    type = 'application/json',
    agent = caseAgent,
    headers = AS_ADMIN,
  }: { method?: string; body?: string; type?: string; agent?: Agent; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const sent = request(
      new URL(path, url),
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            ms: performance.now() - started,
            body: Buffer.concat(chunks).toString(),
            location: response.headers.location,
          }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

/** Asks /health every 10 ms, one at a time, until stopped: the worst wait (a failed probe is retried once, its time counted). */
function watchHealth(url: string) {
  let running = true;
  let worst = 0;
  let probes = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await send(url, '/health', { agent: probeAgent, headers: {} }).catch(() =>
        send(url, '/health', { agent: probeAgent, headers: {} }),
      );
      worst = Math.max(worst, performance.now() - started);
      probes += 1;
      await new Promise((pause) => setTimeout(pause, PROBE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { worst, probes };
    },
  };
}

/** The longest event-loop delay the server recorded since the last scrape, ms (each scrape resets it). */
async function eventLoopMax(url: string): Promise<number> {
  const { body } = await send(url, '/metrics');
  const line = body.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_max_seconds'));
  return line ? Number(line.split(' ').at(-1)) * 1000 : Number.NaN;
}

interface Case {
  name: string;
  method: string;
  path: (ticket: string) => string;
  body: () => string;
  type?: string;
}

const spacesThenComma = (n: number) => `${' '.repeat(n)},`;
const nearMissEmail = (n: number) => `a@${'a.'.repeat(n)}`;
const row = (n: number) => ({
  title: `Imported row ${n}`,
  requester: `row${n}@customers.example`,
  description: 'A row among many, to make the body large.',
  tags: ['bulk'],
});

/** A JSON array of rows, `first` then valid rows up to just under the 10 MB an import may be. */
function tenMegabytesAfter(first: object): string {
  const parts = [JSON.stringify(first)];
  let size = parts[0]!.length + 2;
  for (let n = 1; ; n += 1) {
    const next = JSON.stringify(row(n));
    if (size + next.length + 1 > IMPORT_LIMIT - 1024) break;
    parts.push(next);
    size += next.length + 1;
  }
  return `[${parts.join(',')}]`;
}

const CASES: Case[] = [
  {
    name: '99,000 spaces then "," as tags',
    method: 'POST',
    path: () => '/tickets',
    body: () => JSON.stringify({ title: 'Abuse', requester: 'a@example.com', tags: spacesThenComma(99_000) }),
  },
  {
    name: '99,000 spaces then "," as tags',
    method: 'PATCH',
    path: (ticket) => ticket,
    body: () => JSON.stringify({ tags: spacesThenComma(99_000) }),
  },
  {
    name: '99,000 spaces then "," as title',
    method: 'POST',
    path: () => '/tickets',
    body: () => JSON.stringify({ title: spacesThenComma(99_000), requester: 'a@example.com' }),
  },
  {
    name: '"a@" + "a." × 49,000 as requester',
    method: 'POST',
    path: () => '/tickets',
    body: () => JSON.stringify({ title: 'Abuse', requester: nearMissEmail(49_000) }),
  },
  {
    name: '"a@" + "a." × 49,000 as email',
    method: 'POST',
    path: () => '/tokens',
    body: () => JSON.stringify({ name: 'abuse', role: 'requester', email: nearMissEmail(49_000) }),
  },
  {
    name: '"http:" + "//a" × 33,000 as into',
    method: 'POST',
    path: (ticket) => `${ticket}/merge`,
    body: () => JSON.stringify({ into: `http:${'//a'.repeat(33_000)}` }),
  },
  {
    name: '10 MB import, first row: 140,000 spaces then "," as tags',
    method: 'POST',
    path: () => '/imports',
    body: () => tenMegabytesAfter({ title: 'Abuse', requester: 'a@example.com', tags: spacesThenComma(140_000) }),
  },
  // The same size with no hostile row: what the bulk alone costs, to set the row above against.
  {
    name: '10 MB import of valid rows only (control)',
    method: 'POST',
    path: () => '/imports',
    body: () => tenMegabytesAfter(row(0)),
  },
  {
    name: 'import row: description nested 400,000 deep',
    method: 'POST',
    path: () => '/imports',
    body: () =>
      `[{"title":"Deep","requester":"a@example.com","description":${'['.repeat(400_000)}${']'.repeat(400_000)}}]`,
  },
  {
    name: 'import row: "a@" + "a." × 70,000 as requester',
    method: 'POST',
    path: () => '/imports',
    body: () => JSON.stringify([{ title: 'Abuse', requester: nearMissEmail(70_000) }]),
  },
];

interface Measured {
  status: number;
  answerMs: number;
  jobMs: number | undefined;
  healthMs: number;
  /** The server's longest event-loop delay until it answered, and (an import) from then to the job's end. */
  loopMs: number;
  jobLoopMs: number | undefined;
  /** The longest the server's loop went without a turn (to the answer, or to the job's end) and the CPU it burned then. */
  held: Held;
}

/**
 * Held by our work: the longest gap's CPU time, which a machine too busy to run the server does not inflate (it
 * shows as wall time without CPU). The bench's verdict on the event loop rests on it; wall times are shown beside.
 */
const heldByUs = (held: Held) => Math.min(held.wallMs, held.cpuMs);
const heldCell = (held: Held) => `${held.wallMs.toFixed(0)} (${held.cpuMs.toFixed(0)} CPU)`;

/** Sends one request (following an accepted import to its end) while /health is watched. */
async function measure(server: ChildServer, method: string, path: string, body: string): Promise<Measured> {
  const { url } = server;
  await eventLoopMax(url); // resets the server's record
  await server.held(); // and this one
  const health = watchHealth(url);
  const started = performance.now();
  const answer = await send(url, path, { method, body });
  const loopMs = await eventLoopMax(url);
  let jobMs: number | undefined;
  let jobLoopMs: number | undefined;
  if (answer.status === 202 && answer.location) {
    for (;;) {
      const job = JSON.parse((await send(url, answer.location)).body) as { state: string };
      if (job.state === 'done' || job.state === 'failed') break;
      await new Promise((pause) => setTimeout(pause, 20));
    }
    jobMs = performance.now() - started;
    jobLoopMs = await eventLoopMax(url);
  }
  return {
    status: answer.status,
    answerMs: answer.ms,
    jobMs,
    healthMs: (await health.stop()).worst,
    loopMs,
    jobLoopMs,
    held: await server.held(),
  };
}

/** A fresh database: a SQLite file in the scratch folder, or a throw-away cluster (in bench/.cache: the temp folder is the bench's alone, and PostgreSQL runs as its own user). */
async function engineDatabase(
  engine: string,
  folder: ReturnType<typeof scratchFolder>,
): Promise<{ url: string; cluster?: Cluster }> {
  if (engine === 'sqlite') return { url: `file:${folder.path('abuse.db')}` };
  rmSync(POSTGRES_FOLDER, { recursive: true, force: true });
  const cluster = await startCluster(POSTGRES_FOLDER);
  return { url: cluster.url, cluster };
}

const worst: Cell[][] = [];
const sweep: Cell[][] = [];
for (const engine of ENGINES) {
  const folder = scratchFolder();
  const { url: databaseUrl, cluster } = await engineDatabase(engine, folder);
  let server: ChildServer | undefined;
  try {
    server = await startHelpdesk(databaseUrl, { IMPORT_POLL_MS: '50', BENCH_STALLS: '1' });
    const created = await send(server.url, '/tickets', {
      method: 'POST',
      body: JSON.stringify({ title: 'Target', requester: 'a@example.com' }),
    });
    const ticket = created.location!;
    for (const c of CASES) {
      const body = c.body();
      const m = await measure(server, c.method, c.path(ticket), body);
      // An import's answer is only its upload's end (10 MB over loopback); what it must not do is hold the loop.
      const answered = c.path(ticket) === '/imports' || m.answerMs <= ANSWER_MS;
      const ok = answered && heldByUs(m.held) <= HEALTH_MS && m.status < 500;
      worst.push([
        engine,
        `${c.method} ${c.path('/tickets/{id}')}`,
        c.name,
        `${(Buffer.byteLength(body) / 1024).toFixed(0)} kB`,
        m.status,
        m.answerMs,
        m.loopMs,
        m.jobMs ?? '',
        m.jobLoopMs ?? '',
        m.healthMs,
        heldCell(m.held),
        ok ? 'PASS' : 'MISS',
      ]);
    }
    if (SWEEP) {
      const fields = Object.keys(createTicket.schema.properties);
      for (const s of SHAPES) {
        let answerMs = 0;
        let healthMs = 0;
        let loopMs = 0;
        let held: Held = { wallMs: 0, cpuMs: 0 };
        const statuses = new Set<number>();
        for (const field of fields) {
          const base = { title: 'Abuse', requester: 'a@example.com' };
          const n = largestFitting(s, 100_000 - Buffer.byteLength(JSON.stringify(base)), jsonBytes);
          const m = await measure(server, 'POST', '/tickets', JSON.stringify({ ...base, [field]: s.build(n) }));
          if (m.held.wallMs > held.wallMs) held = m.held;
          statuses.add(m.status);
          answerMs = Math.max(answerMs, m.answerMs);
          healthMs = Math.max(healthMs, m.healthMs);
          loopMs = Math.max(loopMs, m.loopMs);
        }
        sweep.push([
          engine,
          s.name,
          [...statuses].sort().join(' '),
          answerMs,
          healthMs,
          loopMs,
          heldCell(held),
          verdict(Math.max(answerMs / ANSWER_MS, heldByUs(held) / HEALTH_MS), 1, 'at most'),
        ]);
      }
    }
  } finally {
    await server?.stop();
    cluster?.stop();
    if (cluster) rmSync(POSTGRES_FOLDER, { recursive: true, force: true });
    folder.remove();
  }
}

console.log(
  `\n(command: ${COMMAND}; bounds: an answer within ${ANSWER_MS} ms (an import: its job), the event loop never held by our work over ${HEALTH_MS} ms: "held" is the server's longest gap between turns of its loop, with the CPU it burned then, which the verdict reads)`,
);
printTable(
  "The worst inputs known, one at a time: time to the answer and the server's longest event-loop delay until then (/metrics), the same to the end of an import's job, and the worst /health wait throughout (probed every 10 ms from outside), ms",
  [
    'engine',
    'request',
    'input',
    'body',
    'status',
    'answer ms',
    'loop max ms',
    'job done ms',
    'job loop max ms',
    'health worst ms',
    'held ms',
    'verdict',
  ],
  worst,
);
if (SWEEP) {
  printTable(
    `Every shape of test/helpers/pathological.ts at its largest (~100 kB), in each of the ${Object.keys(createTicket.schema.properties).length} fields of POST /tickets: the worst of the fields, ms`,
    ['engine', 'shape', 'statuses', 'answer ms', 'health worst ms', 'event loop max ms', 'held ms', 'verdict'],
    sweep,
  );
}
