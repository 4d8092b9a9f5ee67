// The system under test in its two shapes: the single server, and the ticket and FAQ services as two
// processes on loopback with a database each. Client-level tests take either and see one API.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
import { type TestDatabase, createTestDatabase, inspectDatabase } from './database.ts';
import { type ServerProcess, spawnServer } from './process.ts';
import { startTestServer } from './server.ts';
import type { Resource, Walker } from './walker.ts';

export interface SystemUnderTest {
  name: string;
  /** Where a client starts: the ticket service's home document, and the FAQ service's (one URL when single). */
  roots: { tickets: string; faqs: string };
  /** A bearer token every service accepts (each has its own tokens: in tests, the same bootstrap secret). */
  token: string;
  /** Looks inside the database that holds tickets, or the one that holds FAQs (the same one when single). */
  inspect: { tickets: Inspect; faqs: Inspect };
  close(): Promise<void>;
}

type Inspect = <T>(read: (db: Kysely<Database>) => Promise<T>) => Promise<T>;

export async function startSingleServer(): Promise<SystemUnderTest> {
  const server = await startTestServer();
  const root = new URL('/', server.url).href;
  return {
    name: 'single server',
    roots: { tickets: root, faqs: root },
    token: server.adminToken,
    inspect: { tickets: server.inspect, faqs: server.inspect },
    close: () => server.close(),
  };
}

export interface SplitOptions {
  /** BASE_PATH of the FAQ service: its routes moved under a prefix. */
  faqBasePath?: string;
  /** More environment for the ticket service (FAQ_API_COOLDOWN_MS, say). */
  ticketEnv?: Record<string, string>;
}

export interface SplitSystem extends SystemUnderTest {
  faqService: ServerProcess;
  ticketService: ServerProcess;
  faqDatabase: TestDatabase;
  /** Stops the FAQ service (SIGTERM) and waits until it has exited. */
  stopFaqService(): Promise<void>;
  /** Starts the FAQ service again, on the same port and database. */
  restartFaqService(): Promise<void>;
}

/**
 * The FAQ service starts first; an operator mints the ticket service's token there (an agent: it may read
 * drafts and write FAQs) and starts the ticket service with FAQ_API and FAQ_API_TOKEN.
 */
export async function startSplitSystem(options: SplitOptions = {}): Promise<SplitSystem> {
  const token = `test-admin-${randomBytes(24).toString('hex')}`;
  const [faqDatabase, ticketDatabase] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  const faqEnv = {
    SERVICES: 'faqs',
    DATABASE_URL: faqDatabase.url,
    ADMIN_TOKEN: token,
    ...(options.faqBasePath ? { BASE_PATH: options.faqBasePath } : {}),
  };
  let faqService = await spawnServer(faqEnv);
  const faqPort = new URL(faqService.url).port;
  const faqRoot = new URL(`${options.faqBasePath ?? ''}/`, faqService.url).href;
  const minted = await fetch(new URL(`${options.faqBasePath ?? ''}/tokens`, faqService.url), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'ticket-service', role: 'agent' }),
  });
  if (minted.status !== 201)
    throw new Error(`minting the ticket service's token failed: ${minted.status} ${await minted.text()}`);
  const { secret } = (await minted.json()) as { secret: string };
  const ticketService = await spawnServer({
    SERVICES: 'tickets',
    DATABASE_URL: ticketDatabase.url,
    ADMIN_TOKEN: token,
    FAQ_API: faqRoot,
    FAQ_API_TOKEN: secret,
    ...options.ticketEnv,
  });
  const system: SplitSystem = {
    name: options.faqBasePath ? `two services, FAQ routes under ${options.faqBasePath}` : 'two services',
    roots: { tickets: new URL('/', ticketService.url).href, faqs: faqRoot },
    token,
    inspect: {
      tickets: (read) => inspectDatabase(ticketDatabase.url, read),
      faqs: (read) => inspectDatabase(faqDatabase.url, read),
    },
    get faqService() {
      return faqService;
    },
    ticketService,
    faqDatabase,
    async stopFaqService() {
      await faqService.stop();
    },
    async restartFaqService() {
      faqService = await spawnServer({ ...faqEnv, PORT: faqPort });
    },
    async close() {
      await Promise.all([faqService.stop(), ticketService.stop()]);
      await Promise.all([faqDatabase.drop(), ticketDatabase.drop()]);
    },
  };
  return system;
}

/** A metric's value as the ticket service reports it, or undefined when it has no such series. */
export async function metric(walker: Walker, root: string, series: string): Promise<number | undefined> {
  const text = await (
    await walker.request(new URL('metrics', root).href, { headers: { Accept: 'text/plain' } })
  ).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Reports a ticket through the ticket root's collection form, and reads it back. */
export async function report(walker: Walker, root: string, title: string): Promise<Resource> {
  const tickets = await walker.follow(await walker.get(root), 'tickets');
  const created = await walker.submit(tickets, 'default', { title, requester: 'walker@customers.example' });
  if (created.status !== 201) throw new Error(`reporting a ticket: ${created.status}`);
  return walker.get(walker.location(created, tickets.url));
}
