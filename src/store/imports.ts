// Queries for bulk imports: submitting a job, workers claiming it by lease, and each chunk of rows committed
// with its tickets, its outcomes and the job's progress in one transaction, fenced by the worker's lease. Every
// time a job records is the database's (see clock.ts): instances whose own clocks differ still agree on leases.
import type { ExpressionBuilder, Kysely, Selectable, Transaction } from 'kysely';
import {
  EXPIRED,
  type ExpiredImport,
  RECEIVING,
  type ImportJob,
  type ImportState,
  type RowOutcome,
  type RowProblem,
} from '../domain/imports.ts';
import type { TicketFields } from '../domain/tickets.ts';
import type { Pause } from '../time-slices.ts';
import { type DatabaseClock, now } from './clock.ts';
import type { EngineName } from './engines/engine.ts';
import { type Page, type PageRequest, countRows, inSlice, readPage } from './pagination.ts';
import type { Database, ImportsTable } from './schema.ts';
import { newTicketRow } from './tickets.ts';

/** The columns of a job (its rows are in import_parts, which only the worker that runs it reads). */
const JOB_COLUMNS = [
  'id',
  'state',
  'submitted_by',
  'total',
  'processed',
  'created',
  'rejected',
  'version',
  'failure',
  'created_at',
  'started_at',
  'finished_at',
] as const;

type JobRow = Pick<Selectable<ImportsTable>, (typeof JOB_COLUMNS)[number]>;

function toJob(row: JobRow): ImportJob {
  return {
    id: row.id,
    state: row.state as ImportState,
    submittedBy: row.submitted_by,
    total: row.total,
    processed: row.processed,
    created: row.created,
    rejected: row.rejected,
    version: row.version,
    failure: row.failure,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** A rejected row as a member of a page: keyed by its row number. */
export interface Rejection {
  id: number;
  problem: RowProblem;
}

/** Rows per INSERT statement: well inside SQLite's and PostgreSQL's limits on bound parameters. */
const INSERT_BATCH = 500;

/**
 * Characters of row texts per stored part. Writing, reading or parsing a part takes about a millisecond; the
 * whole 10 MB in one go held the process for 60-170 ms at each of those steps. A row (at most 100 kB) is never
 * cut: a part holds whole rows, and at least one.
 */
const PART_CHARS = 128 * 1024;

export class ImportStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: EngineName,
    private readonly clock: DatabaseClock,
  ) {}

  /**
   * Whether committing a chunk runs on this process's event loop: SQLite's driver is synchronous, so a chunk's
   * inserts (and their search indexing) hold every other request meanwhile; PostgreSQL does that work in its
   * own processes while this one answers others.
   */
  get commitsHoldTheProcess(): boolean {
    return this.engine === 'sqlite';
  }

  /**
   * Stores a job and its rows (each row's JSON text as submitted), a part per statement with `pause` between
   * them: the job is invisible ('receiving') until the last part is in, and only then queued for the workers.
   */
  async submit(submittedBy: string, rows: readonly string[], pause: Pause): Promise<ImportJob> {
    const { id } = await this.db
      .insertInto('imports')
      .values({ state: RECEIVING, submitted_by: submittedBy, total: rows.length, created_at: this.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (let part = 0, first = 0; first < rows.length; part += 1) {
      const end = partEnd(rows, first);
      await this.db
        .insertInto('import_parts')
        .values({ import_id: id, part, first_row: first, rows: `[${rows.slice(first, end).join(',')}]` })
        .execute();
      first = end;
      await pause();
    }
    const row = await this.db
      .updateTable('imports')
      .set({ state: 'queued' })
      .where('id', '=', id)
      .returning(JOB_COLUMNS)
      .executeTakeFirstOrThrow();
    return toJob(row);
  }

  /**
   * The submitted rows of a job from the 0-based row `from` on, parsed a part at a time as the caller comes to
   * them. A row refused unread at submission (past a single ticket's limits) comes as what stands for it.
   */
  async *rows(id: number, from: number): AsyncGenerator<unknown> {
    const parts = this.db.selectFrom('import_parts').select(['part', 'first_row', 'rows']).where('import_id', '=', id);
    let part = await parts.where('first_row', '<=', from).orderBy('part', 'desc').limit(1).executeTakeFirst();
    while (part) {
      const rows = JSON.parse(part.rows) as unknown[];
      for (let i = Math.max(0, from - part.first_row); i < rows.length; i += 1) yield rows[i];
      part = await parts.where('part', '=', part.part + 1).executeTakeFirst();
    }
  }

  async find(id: number): Promise<ImportJob | ExpiredImport | undefined> {
    const row = await this.db.selectFrom('imports').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst();
    if (row?.state === RECEIVING) return undefined;
    // Expiry sets finished_at in the same UPDATE that sets the state.
    if (row?.state === EXPIRED && row.finished_at !== null)
      return { id: row.id, expired: true, finishedAt: row.finished_at };
    return row && toJob(row);
  }

  /** The jobs the collection lists: every one but those past their retention, or still being received. */
  private listed() {
    return this.db.selectFrom('imports').where('state', 'not in', [EXPIRED, RECEIVING]);
  }

  async list(request: PageRequest): Promise<Page<ImportJob>> {
    const page = await readPage(
      request,
      () => countRows(this.listed()),
      (slice) => inSlice(this.listed().select(JOB_COLUMNS), slice).execute(),
    );
    return { ...page, items: page.items.map(toJob) };
  }

  /**
   * Takes the oldest job that is queued, or running on a lease that lapsed (its instance died), for `owner`
   * until `leaseMs` from now. One statement: SQLite runs it under its one write lock; PostgreSQL locks the
   * chosen row with SKIP LOCKED, so instances claiming at once each get a different job, or none.
   */
  async claim(owner: string, leaseMs: number): Promise<ImportJob | undefined> {
    const claimable = (eb: ExpressionBuilder<Database, 'imports'>) =>
      eb.or([
        eb('state', '=', 'queued'),
        eb.and([eb('state', '=', 'running'), eb('lease_expires_at', '<', this.clock.now())]),
      ]);
    let oldest = this.db.selectFrom('imports').select('id').where(claimable).orderBy('id').limit(1);
    // Idle instances poll often: a plain read first, so that they take no write lock while there is nothing to do.
    if (!(await oldest.executeTakeFirst())) return undefined;
    if (this.engine === 'postgres') oldest = oldest.forUpdate().skipLocked();
    const row = await this.db
      .updateTable('imports')
      .set((eb) => ({
        state: 'running',
        lease_owner: owner,
        lease_expires_at: this.clock.offset(leaseMs),
        started_at: eb.fn.coalesce('started_at', this.clock.now()),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', (eb) => eb.selectFrom(oldest.as('oldest')).select('oldest.id'))
      .where(claimable)
      .returning(JOB_COLUMNS)
      .executeTakeFirst();
    return row && toJob(row);
  }

  /**
   * Records the outcomes of the rows after `job.processed`: creates their tickets, notes each row's ticket or
   * problem, advances the progress and renews the lease, all at once. False (and nothing written) when the
   * worker no longer holds the job, or another has already committed these rows.
   */
  async commitChunk(
    job: Pick<ImportJob, 'id' | 'processed'>,
    owner: string,
    outcomes: readonly RowOutcome<TicketFields>[],
    leaseMs: number,
  ): Promise<boolean> {
    const created = outcomes.filter((o) => 'fields' in o).length;
    return this.db.transaction().execute(async (trx) => {
      // First, so that on PostgreSQL the job's row is locked for the rest of the transaction: no claim can
      // take it over (SKIP LOCKED) while the chunk is being written.
      const held = await trx
        .updateTable('imports')
        .set((eb) => ({
          processed: job.processed + outcomes.length,
          created: eb('created', '+', created),
          rejected: eb('rejected', '+', outcomes.length - created),
          version: eb('version', '+', 1),
          lease_expires_at: this.clock.offset(leaseMs),
        }))
        .where('id', '=', job.id)
        .where('state', '=', 'running')
        .where('lease_owner', '=', owner)
        .where('processed', '=', job.processed)
        .executeTakeFirst();
      if (held.numUpdatedRows === 0n) return false;
      await this.writeOutcomes(trx, job.id, outcomes);
      return true;
    });
  }

  private async writeOutcomes(
    trx: Transaction<Database>,
    importId: number,
    outcomes: readonly RowOutcome<TicketFields>[],
  ): Promise<void> {
    if (outcomes.length === 0) return;
    // Stamped as every other ticket is, by the instance that writes it: no other instance compares these.
    const at = now();
    const accepted = outcomes.flatMap((o) => ('fields' in o ? [o] : []));
    const ticketIds = new Map<number, number>();
    for (let start = 0; start < accepted.length; start += INSERT_BATCH) {
      const batch = accepted.slice(start, start + INSERT_BATCH);
      const inserted = await trx
        .insertInto('tickets')
        .values(batch.map((o) => newTicketRow(o.fields, at)))
        .returning('id')
        .execute();
      // Both engines number the rows of one INSERT in the order of its VALUES (a sequence or rowid handed out
      // row by row); RETURNING need not keep that order, so the ids are sorted back into it.
      const ids = inserted.map((r) => r.id).sort((a, b) => a - b);
      for (const [i, o] of batch.entries()) {
        const id = ids[i];
        if (id !== undefined) ticketIds.set(o.row, id);
      }
    }
    const rows = outcomes.map((o) =>
      'fields' in o
        ? { import_id: importId, row: o.row, ticket_id: insertedId(ticketIds, o.row), problem: null }
        : { import_id: importId, row: o.row, ticket_id: null, problem: JSON.stringify(o.problem) },
    );
    for (let start = 0; start < rows.length; start += INSERT_BATCH)
      await trx
        .insertInto('import_rows')
        .values(rows.slice(start, start + INSERT_BATCH))
        .execute();
  }

  /** Extends the lease of a job the worker still holds; false when it no longer does. */
  async heartbeat(id: number, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('imports')
      .set({ lease_expires_at: this.clock.offset(leaseMs) })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Ends a job whose every row has an outcome (done), or one that broke (failed, with why). A done job's rows
   * are all recorded as tickets or problems, so its parts (up to 10 MB) are dropped, by a trigger (migration
   * 0008); a failed one keeps them.
   */
  async finish(id: number, owner: string, failure?: string): Promise<boolean> {
    let query = this.db
      .updateTable('imports')
      .set((eb) => ({
        state: failure === undefined ? 'done' : 'failed',
        failure: failure ?? null,
        finished_at: this.clock.now(),
        lease_owner: null,
        lease_expires_at: null,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('lease_owner', '=', owner);
    if (failure === undefined) query = query.whereRef('processed', '=', 'total');
    return (await query.executeTakeFirst()).numUpdatedRows > 0n;
  }

  /** Gives a job back to the queue (its instance is shutting down): another instance resumes it at once. */
  async release(id: number, owner: string): Promise<void> {
    await this.db
      .updateTable('imports')
      .set((eb) => ({ state: 'queued', lease_owner: null, lease_expires_at: null, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('lease_owner', '=', owner)
      .execute();
  }

  /**
   * Removes up to `batch` jobs that finished (done or failed) more than `retentionMs` ago, oldest first, and
   * returns how many: each keeps only its row, as expired, while triggers delete its parts and its refused rows'
   * problems in the same statement (migrations 0005 and 0008). Any instance may run it at any time: on
   * PostgreSQL, instances sweeping at once skip each other's rows (SKIP LOCKED) rather than wait. Submissions cut
   * short (their instance died while storing the rows) go the same way once as old.
   */
  async expire(retentionMs: number, batch: number): Promise<number> {
    return (await this.expireFinished(retentionMs, batch)) + (await this.expireUnreceived(retentionMs, batch));
  }

  /** A submission whose rows never all arrived: expired, and finished now, after the retention from its start. */
  private expireUnreceived(retentionMs: number, batch: number): Promise<number> {
    return this.expireOlderThan(retentionMs, batch, { states: [RECEIVING], since: 'created_at', finishesNow: true });
  }

  /** A done or failed job: expired after the retention from its end. */
  private expireFinished(retentionMs: number, batch: number): Promise<number> {
    return this.expireOlderThan(retentionMs, batch, { states: ['done', 'failed'], since: 'finished_at' });
  }

  /** Marks expired, oldest first and at most `batch` of them, the jobs in `states` whose `since` is past retention. */
  private async expireOlderThan(
    retentionMs: number,
    batch: number,
    {
      states,
      since,
      finishesNow = false,
    }: { states: string[]; since: 'created_at' | 'finished_at'; finishesNow?: boolean },
  ): Promise<number> {
    const due = () =>
      this.db
        .selectFrom('imports')
        .select('id')
        .where('state', 'in', states)
        .where(since, '<', this.clock.offset(-retentionMs));
    // Every poll of every instance sweeps: a plain read of the index first, so that an idle one takes no write lock.
    if (!(await due().limit(1).executeTakeFirst())) return 0;
    let oldest = due().orderBy(since).limit(batch);
    if (this.engine === 'postgres') oldest = oldest.forUpdate().skipLocked();
    const result = await this.db
      .updateTable('imports')
      .set((eb) => ({
        state: EXPIRED,
        version: eb('version', '+', 1),
        ...(finishesNow ? { finished_at: this.clock.now() } : {}),
      }))
      .where('id', 'in', oldest)
      .where('state', 'in', states)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async rejections(importId: number, request: PageRequest): Promise<Page<Rejection>> {
    const rejected = this.db
      .selectFrom('import_rows')
      .where('import_id', '=', importId)
      .where('problem', 'is not', null);
    const page = await readPage(
      request,
      () => countRows(rejected),
      (slice) => inSlice(rejected.select(['row', 'problem']), slice, 'row').execute(),
    );
    return { ...page, items: page.items.map((r) => ({ id: r.row, problem: parseProblem(r.problem) })) };
  }

  async rejection(importId: number, row: number): Promise<RowProblem | undefined> {
    const found = await this.db
      .selectFrom('import_rows')
      .select('problem')
      .where('import_id', '=', importId)
      .where('row', '=', row)
      .where('problem', 'is not', null)
      .executeTakeFirst();
    return found ? parseProblem(found.problem) : undefined;
  }
}

/** Where the part that starts at row `first` ends: at least that row, then rows while the JSON stays under PART_CHARS. */
function partEnd(rows: readonly string[], first: number): number {
  let end = first + 1;
  let chars = rows[first]?.length ?? 0;
  for (let next = rows[end]; next !== undefined && chars + next.length < PART_CHARS; next = rows[end]) {
    chars += next.length + 1;
    end += 1;
  }
  return end;
}

/** The ticket an accepted row became: one INSERT returns one id per row, so a gap would be our bug. */
function insertedId(ticketIds: ReadonlyMap<number, number>, row: number): number {
  const id = ticketIds.get(row);
  if (id === undefined) throw new Error(`import row ${row} was inserted but got no ticket id`);
  return id;
}

/** A rejected row's problem, as stored (the queries select only rows that have one). */
function parseProblem(text: string | null): RowProblem {
  if (text === null) throw new Error('a rejected import row has no problem stored');
  return JSON.parse(text) as RowProblem;
}
