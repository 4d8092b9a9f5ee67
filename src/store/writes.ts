// Commits the store's writes durably, either each in its own transaction or grouped: writes that arrive while
// a commit is under way queue, and the next commit takes them all at once (one fsync for many requests).
import { randomUUID } from 'node:crypto';
import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * One write: its statements run atomically on `db`, and its promise settles only once they are durable. It may
 * be run more than once (a group whose other member failed is run again without it), so it must not act on
 * anything but `db`.
 */
type Write<T> = (db: Transaction<Database>) => Promise<T>;

export interface Writes {
  run<T>(write: Write<T>): Promise<T>;
  /** Resolves once every write handed over so far has settled (the store closes after it). */
  settled(): Promise<void>;
}

/** No writes: for a store over a read-only connection (SQLite's search thread), which only searches. */
export const readOnlyWrites: Writes = {
  run: () => Promise.reject(new Error('this store only reads (the search thread)')),
  settled: () => Promise.resolve(),
};

/** Each write is a transaction of its own: one commit, one fsync, per request. */
export function writesAlone(db: Kysely<Database>): Writes {
  const pending = new Set<Promise<unknown>>();
  return {
    run<T>(write: Write<T>): Promise<T> {
      const done = db.transaction().execute(write);
      const tracked = done
        .then(
          () => {},
          () => {},
        )
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
      return done;
    },
    async settled() {
      await Promise.all(pending);
    },
  };
}

interface Queued {
  write: Write<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown out of a shared transaction to roll it back: the write at `index` failed. */
class FailedWrite extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {
    super(`write ${index} of the group failed`, { cause: error });
    this.name = 'FailedWrite';
  }
}

/**
 * More than this many writes wait for the next commit: one transaction stays short, so readers on SQLite's single
 * connection wait no longer than that.
 */
const MOST_PER_COMMIT = 256;

/** Group commit's settings. */
export interface GroupCommitOptions {
  /**
   * Write a marker row in each group's transaction, so that a group whose COMMIT went unanswered (the connection
   * broke after the server had committed) can ask whether it landed, rather than run its writes again and apply
   * them twice. That can happen with a database across a connection (PostgreSQL), never with SQLite in process,
   * whose COMMIT returns or fails where it runs. Default off.
   */
  markCommits?: boolean;
}

/** A group's COMMIT went unanswered and whether it landed cannot be told now (the database is out of reach). */
class UnknownOutcome extends Error {
  constructor(readonly error: unknown) {
    super('the outcome of a COMMIT is unknown', { cause: error });
    this.name = 'UnknownOutcome';
  }
}

/**
 * Runs a group's writes in one transaction and commits it; resolves with their outcomes, in the order the
 * writes ran. A write that throws rolls the transaction back (FailedWrite is thrown out of it).
 */
type Transact = (writes: (trx: Transaction<Database>, outcomes: Outcome[]) => Promise<void>) => Promise<Outcome[]>;

/**
 * Transactions for groups, with commit markers when asked for. A COMMIT that failed is asked about by its
 * marker: if it landed after all, the outcomes stand; if not (or without markers) the failure is thrown, as it
 * is when a write throws (FailedWrite) and the transaction is rolled back.
 */
function groupTransactions(db: Kysely<Database>, markCommits: boolean): Transact {
  /** This instance's marker of its last committed group: the next group deletes it, so one row stays at most. */
  let lastMarker: string | undefined;

  /** Did the group whose transaction wrote `marker` commit? */
  async function landed(marker: string): Promise<boolean> {
    try {
      return (
        (await db.selectFrom('commit_markers').select('id').where('id', '=', marker).executeTakeFirst()) !== undefined
      );
    } catch (error) {
      throw new UnknownOutcome(error);
    }
  }

  return async (writes) => {
    // Filled as the writes run, so that they are still at hand after a failed COMMIT that landed.
    const outcomes: Outcome[] = [];
    const marker = markCommits ? randomUUID() : undefined;
    try {
      await db.transaction().execute(async (trx) => {
        await writes(trx, outcomes);
        if (marker === undefined) return;
        await trx.insertInto('commit_markers').values({ id: marker }).execute();
        if (lastMarker !== undefined) await trx.deleteFrom('commit_markers').where('id', '=', lastMarker).execute();
      });
    } catch (failure) {
      if (failure instanceof FailedWrite || marker === undefined || !(await landed(marker))) throw failure;
    }
    if (marker !== undefined) lastMarker = marker;
    return outcomes;
  };
}

/** All writes in one transaction; the first to throw rolls it back (FailedWrite). */
function runTogether(transact: Transact, batch: Queued[]): Promise<Outcome[]> {
  return transact(async (trx, outcomes) => {
    for (const [index, queued] of batch.entries()) {
      try {
        outcomes.push({ ok: true, value: await queued.write(trx) });
      } catch (error) {
        throw new FailedWrite(index, error);
      }
    }
  });
}

/** All writes in one transaction, each in a savepoint: one that throws is undone alone. */
function runApart(transact: Transact, batch: Queued[]): Promise<Outcome[]> {
  return transact(async (trx, outcomes) => {
    for (const { write } of batch) {
      await sql`SAVEPOINT write`.execute(trx);
      try {
        const value = await write(trx);
        await sql`RELEASE SAVEPOINT write`.execute(trx);
        outcomes.push({ ok: true, value });
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT write`.execute(trx);
        await sql`RELEASE SAVEPOINT write`.execute(trx);
        outcomes.push({ ok: false, error });
      }
    }
  });
}

/** Each write in a transaction of its own, at once: for when a shared transaction failed as a whole. */
function runAlone(db: Kysely<Database>, batch: Queued[]): Promise<Outcome[]> {
  return Promise.all(
    batch.map(({ write }) =>
      db
        .transaction()
        .execute(write)
        .then(
          (value): Outcome => ({ ok: true, value }),
          (error: unknown): Outcome => ({ ok: false, error }),
        ),
    ),
  );
}

/**
 * After a shared transaction failed as a whole: nothing of it landed, so each write gets a transaction of its
 * own; unless whether it landed is unknown, when running them again might apply them twice, so each is refused
 * with the database's error (503: a write so answered may have landed, as for any write cut off).
 */
function afterWholeFailure(db: Kysely<Database>, batch: Queued[], failure: unknown): Promise<Outcome[]> {
  if (failure instanceof UnknownOutcome) return Promise.resolve(batch.map(() => ({ ok: false, error: failure.error })));
  return runAlone(db, batch);
}

/** One write failed in the shared transaction: the others run again, each in a savepoint, and it is refused. */
async function withoutFailed(
  db: Kysely<Database>,
  transact: Transact,
  batch: Queued[],
  failure: FailedWrite,
): Promise<Outcome[]> {
  const rest = batch.filter((_, i) => i !== failure.index);
  let others: Outcome[];
  try {
    others = await runApart(transact, rest);
  } catch (error) {
    others = await afterWholeFailure(db, rest, error);
  }
  // The refusal is answered with the others, not before: it may be due to a write that came before it
  // (the same question, asked first), and whoever hears of it must be able to read that one already.
  return [...others.slice(0, failure.index), { ok: false, error: failure.error }, ...others.slice(failure.index)];
}

/** Commits a group and answers each of its writes: ok once durable, or refused with its own error. */
async function commitGroup(db: Kysely<Database>, transact: Transact, batch: Queued[]): Promise<void> {
  let outcomes: Outcome[];
  try {
    outcomes = await runTogether(transact, batch);
  } catch (failure) {
    outcomes =
      failure instanceof FailedWrite
        ? await withoutFailed(db, transact, batch, failure)
        : await afterWholeFailure(db, batch, failure);
  }
  for (const [i, queued] of batch.entries()) {
    const outcome = outcomes[i];
    // One outcome per write, in order, is what runTogether and its fallbacks return; a gap would be our bug.
    if (outcome === undefined) queued.reject(new Error(`write ${i} of a group of ${batch.length} got no outcome`));
    else if (outcome.ok) queued.resolve(outcome.value);
    else queued.reject(outcome.error);
  }
}

/**
 * Group commit. Concurrent writes share one transaction and so one durable COMMIT; nobody hears of success
 * before it returned, so an acknowledged write is as durable as it would have been alone. Writes run one after
 * another in the order they arrived, each seeing the ones before it, so version guards (If-Match, 412) and
 * unique checks (409) decide exactly as they would one at a time.
 *
 * A write that fails must fail alone. Failures are rare, so the group first runs without savepoints (a
 * savepoint costs two more statements per write, two more round trips on PostgreSQL); when one write throws,
 * the transaction is rolled back, that write is refused, and the rest run again, each in a savepoint of its own.
 */
export function groupCommit(db: Kysely<Database>, { markCommits = false }: GroupCommitOptions = {}): Writes {
  const transact = groupTransactions(db, markCommits);
  const queue: Queued[] = [];
  let committing: Promise<void> | undefined;

  /**
   * Turns of the event loop until one brings no new write, or the group is full. Each turn reads the requests
   * that reached their sockets meanwhile (with better-sqlite3 a commit blocks the loop, so those sent during it
   * are still unread), and those that write join this group rather than wait for its commit: fewer commits, each
   * with its fsync and index flush, for as many writes.
   */
  async function gather(): Promise<void> {
    let before: number;
    do {
      before = queue.length;
      await new Promise((resolve) => setImmediate(resolve));
    } while (queue.length > before && queue.length < MOST_PER_COMMIT);
  }

  async function commitQueued(): Promise<void> {
    while (queue.length > 0) {
      await commitGroup(db, transact, queue.splice(0, MOST_PER_COMMIT));
      await gather();
    }
  }

  function start(): void {
    committing = gather()
      .then(commitQueued)
      .finally(() => {
        committing = undefined;
        if (queue.length > 0) start();
      });
  }

  return {
    run<T>(write: Write<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ write, resolve, reject });
        if (!committing) start();
      });
    },
    async settled() {
      while (committing) await committing;
    },
  };
}
