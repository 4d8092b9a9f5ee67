// Submitting bulk imports and following a job until it ends, as a client would: by its Location and links; and
// a fault in the database that makes an import's chunk fail.
import { type Kysely, sql } from 'kysely';
import type { Store } from '../../src/store/index.ts';
import type { Database } from '../../src/store/schema.ts';
import { testEngine } from './database.ts';
import { type HalDocument, pathOf } from './hal.ts';
import type { TestServer } from './server.ts';

export interface ImportBody extends HalDocument {
  id: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: { total: number; processed: number; created: number; rejected: number };
  submittedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  failure?: string;
}

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** POSTs rows as a JSON array (or as NDJSON text), expecting 202; returns the job's address and the answer. */
export async function submitImport(fetch: Fetch, rows: unknown[] | string, headers: Record<string, string> = {}) {
  const ndjson = typeof rows === 'string';
  const response = await fetch('/imports', {
    method: 'POST',
    headers: { 'Content-Type': ndjson ? 'application/x-ndjson' : 'application/json', ...headers },
    body: ndjson ? rows : JSON.stringify(rows),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST /imports gave ${response.status}: ${text}`);
  return { response, location: response.headers.get('location')!, body: JSON.parse(text) as ImportBody };
}

/**
 * Polls a job until it is done or failed (or `deadlineMs` passes), pausing `everyMs` between looks. It asks
 * whichever instance `fetch` talks to for the job's path: instances of one database share their jobs.
 */
export async function untilFinished(
  fetch: Fetch,
  location: string,
  { everyMs = 25, deadlineMs = 45_000 } = {},
): Promise<ImportBody> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const response = await fetch(pathOf(location));
    const job = (await response.json()) as ImportBody;
    if (job.state === 'done' || job.state === 'failed') return job;
    if (Date.now() > deadline)
      throw new Error(`import ${location} still ${job.state} after ${deadlineMs} ms: ${JSON.stringify(job.progress)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A valid ticket body, distinct by `n` and `tag`, for building imports. */
export function ticketRow(tag: string, n: number): Record<string, unknown> {
  return { title: `${tag} row ${n}`, requester: `row${n}@customers.example`, tags: [tag] };
}

/**
 * A trigger that refuses to insert a ticket whose title holds "poison": always, or (PostgreSQL) only the first
 * `times` times. On PostgreSQL each refusal (and the insert that finally passes) takes a number from the
 * sequence poison_attempts, so the test can count the tries.
 */
export async function poisonTickets(db: Kysely<Database>, times = Number.POSITIVE_INFINITY): Promise<void> {
  if (testEngine === 'sqlite') {
    if (times !== Number.POSITIVE_INFINITY) throw new Error('SQLite triggers cannot count refusals past a rollback');
    await sql`CREATE TRIGGER poison BEFORE INSERT ON tickets WHEN NEW.title LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END`.execute(
      db,
    );
    return;
  }
  const limit = times === Number.POSITIVE_INFINITY ? 'NULL' : String(times);
  await sql`CREATE SEQUENCE poison_attempts`.execute(db);
  await sql
    .raw(
      `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE attempt bigint := nextval('poison_attempts');
       BEGIN
         IF ${limit} IS NULL OR attempt <= ${limit} THEN RAISE EXCEPTION 'poisoned by the test'; END IF;
         RETURN NEW;
       END $$`,
    )
    .execute(db);
  await sql`CREATE TRIGGER poison BEFORE INSERT ON tickets FOR EACH ROW WHEN (NEW.title LIKE '%poison%') EXECUTE FUNCTION poison()`.execute(
    db,
  );
}

/** What a job still keeps of its submitted rows (its parts, in order), as the database holds them. */
export async function keptRows(db: Kysely<Database>, id: number): Promise<unknown[]> {
  const parts = await db
    .selectFrom('import_parts')
    .select('rows')
    .where('import_id', '=', id)
    .orderBy('part')
    .execute();
  return parts.flatMap((part) => JSON.parse(part.rows) as unknown[]);
}

/** Submits rows straight to a store, as POST /imports does once it has read them. */
export function submitToStore(store: Store, rows: readonly unknown[]) {
  return store.imports.submit(
    'test',
    rows.map((row) => JSON.stringify(row)),
    async () => {},
  );
}

/** The rows a worker reads for a job from the 0-based row `from` on. */
export async function rowsToRun(store: Store, id: number, from: number): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of store.imports.rows(id, from)) rows.push(row);
  return rows;
}

/** How many imports and tickets the server holds: compared before and after a refused request. */
export function importHoldings(server: Pick<TestServer, 'inspect'>): Promise<{ imports: number; tickets: number }> {
  const count = async (db: Kysely<Database>, table: 'imports' | 'tickets') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return server.inspect(async (db) => ({ imports: await count(db, 'imports'), tickets: await count(db, 'tickets') }));
}
