// The import worker that runs inside every server instance: it claims one job at a time from the database,
// works through its rows in chunks (each chunk one transaction with its progress), keeps its lease alive, and
// on shutdown gives the job back so that another instance resumes it. Each time it looks for work, it first
// removes a few finished jobs past their retention.
import { setTimeout as delay, setImmediate as yieldToRequests } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ImportWorkerConfig } from '../config.ts';
import type { ImportJob, RowOutcome } from '../domain/imports.ts';
import type { TicketFields } from '../domain/tickets.ts';
import { rowOutcome } from '../resources/imports/rows.ts';
import type { ImportStore } from '../store/imports.ts';
import { timeSlices } from '../time-slices.ts';

/**
 * Tries at one chunk before the job is failed. A chunk is atomic and fenced by the lease, so trying it again is
 * safe: a deadlock (PostgreSQL) or a database busy past its timeout (SQLite) deserves another go; a bug does not
 * go away, and fails the job on the last try.
 */
const CHUNK_ATTEMPTS = 3;

/**
 * Finished jobs removed per look at most: one bounded statement per poll of each instance. At the default poll
 * that is 72,000 an hour per instance, far past any steady rate of imports; a burst is worked off over a few polls.
 */
const EXPIRY_BATCH = 20;

/**
 * Characters of outcomes (tickets and problems, as JSON) per chunk at most on SQLite, whatever IMPORT_CHUNK_ROWS
 * says. A chunk is committed in one go, and SQLite indexes its tickets' text for search meanwhile, holding the
 * process: 100 tickets of the largest size held it about 110 ms of CPU; 32 kB of them take a few milliseconds.
 * PostgreSQL commits in its own processes, where smaller chunks would only cost more transactions (a job of
 * 5,000 rows of 2 kB took 18 s in 32 kB chunks, against 1 s on SQLite).
 */
const CHUNK_CHARS = 32 * 1024;

export interface ImportWorker {
  /** Stops claiming, gives back a job in progress after its current chunk, and resolves once idle. */
  stop(): Promise<void>;
}

export interface ImportWorkerOptions {
  imports: ImportStore;
  config: ImportWorkerConfig;
  log: Logger;
  /** Names this instance in the leases it holds; unique per process. */
  instance: string;
  /** Told of the rows and jobs this worker finishes (for metrics: src/metrics/imports.ts). */
  observe?: ImportObserver;
}

export interface ImportObserver {
  /** A chunk committed: so many rows given an outcome, so many of them refused. */
  chunk(rows: number, rejected: number): void;
  /** A job ended, `seconds` after this worker claimed it. */
  finished(outcome: 'done' | 'failed', seconds: number): void;
}

/** What the parts of one worker share: its options, the chunk size its engine wants, and whether it is stopping. */
interface Worker extends ImportWorkerOptions {
  chunkChars: number;
  stopping(): boolean;
}

/** Commits a chunk, trying again on failure up to CHUNK_ATTEMPTS times, waiting longer each time. */
async function withRetries(commit: () => Promise<boolean>, pollMs: number, jobLog: Logger): Promise<boolean> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await commit();
    } catch (error) {
      if (tries >= CHUNK_ATTEMPTS) throw error;
      jobLog.warn({ err: error, tries }, 'import chunk failed: trying it again');
      await delay(pollMs * tries);
    }
  }
}

/** Reads a job's rows from where it stands, a chunk at a time, each row checked into its outcome. */
function chunkReader(
  { imports, config, chunkChars }: Worker,
  job: ImportJob,
): (processed: number) => Promise<RowOutcome<TicketFields>[]> {
  const rows = imports.rows(job.id, job.processed);
  // Rows are read and checked between turns of the event loop, a few milliseconds at a time: a chunk of
  // hostile rows never holds up the requests the server is answering meanwhile.
  const pause = timeSlices();
  return async (processed) => {
    const outcomes: RowOutcome<TicketFields>[] = [];
    let chars = 0;
    while (outcomes.length < config.chunkRows && chars < chunkChars && processed + outcomes.length < job.total) {
      const next = await rows.next();
      if (next.done) throw new Error(`import ${job.id} has fewer rows stored than its total of ${job.total}`);
      const outcome = rowOutcome(next.value, processed + outcomes.length + 1);
      outcomes.push(outcome);
      if (chunkChars !== Number.POSITIVE_INFINITY) chars += JSON.stringify(outcome).length;
      await pause();
    }
    return outcomes;
  };
}

/**
 * Between chunks the lease is renewed by each commit; this heartbeat covers a chunk that waits on locks, and
 * calls `lost` when another instance has the job. Returns the heartbeat's stop.
 */
function keepLease(
  { imports, config, instance }: Worker,
  job: ImportJob,
  jobLog: Logger,
  lost: () => void,
): () => void {
  const heartbeat = setInterval(
    () => {
      imports.heartbeat(job.id, instance, config.leaseMs).then(
        (still) => {
          if (!still) lost();
        },
        (error: unknown) => jobLog.warn({ err: error }, 'import heartbeat failed'),
      );
    },
    Math.max(config.pollMs, Math.floor(config.leaseMs / 3)),
  );
  return () => clearInterval(heartbeat);
}

/** Works through a claimed job, chunk by chunk, until it is done or failed, given back on shutdown, or lost. */
async function runJob(worker: Worker, job: ImportJob): Promise<void> {
  const { imports, config, log, instance, observe } = worker;
  const jobLog = log.child({ importId: job.id, instance });
  const claimedAt = performance.now();
  jobLog.info({ from: job.processed, total: job.total }, 'import claimed');
  let held = true;
  let processed = job.processed;
  const nextChunk = chunkReader(worker, job);
  const stopHeartbeat = keepLease(worker, job, jobLog, () => (held = false));
  try {
    while (processed < job.total) {
      if (worker.stopping()) {
        await imports.release(job.id, instance);
        jobLog.info({ processed }, 'import given back: shutting down');
        return;
      }
      const outcomes = await nextChunk(processed);
      if (
        !held ||
        !(await withRetries(
          () => imports.commitChunk({ id: job.id, processed }, instance, outcomes, config.leaseMs),
          config.pollMs,
          jobLog,
        ))
      ) {
        jobLog.warn({ processed }, 'import lease lost: another instance has the job');
        return;
      }
      processed += outcomes.length;
      observe?.chunk(outcomes.length, outcomes.filter((outcome) => 'problem' in outcome).length);
      await yieldToRequests();
    }
    await imports.finish(job.id, instance);
    observe?.finished('done', (performance.now() - claimedAt) / 1e3);
    jobLog.info('import done');
  } catch (error) {
    // The job itself broke (its rows' own faults are outcomes, never errors): say so, rather than retry forever.
    // The cause goes to the log; clients are told where it stopped, as a 500 would tell them, not the internals.
    jobLog.error({ err: error, processed }, 'import failed');
    const failure = `The import stopped at row ${processed + 1} on an error on our side; it has been logged. The rows before it stand.`;
    await imports.finish(job.id, instance, failure).catch(() => {});
    observe?.finished('failed', (performance.now() - claimedAt) / 1e3);
  } finally {
    stopHeartbeat();
  }
}

async function expireOld({ imports, config, log, instance }: Worker): Promise<void> {
  try {
    const expired = await imports.expire(config.retentionMs, EXPIRY_BATCH);
    if (expired > 0) log.info({ expired, instance }, 'finished imports past their retention removed');
  } catch (error) {
    log.warn({ err: error, instance }, 'import worker could not remove finished imports');
  }
}

/** One look for work: expired jobs removed, then jobs claimed and run one at a time until none is left. */
async function drain(worker: Worker): Promise<void> {
  await expireOld(worker);
  try {
    while (!worker.stopping()) {
      const claimed = await worker.imports.claim(worker.instance, worker.config.leaseMs);
      if (!claimed) return;
      await runJob(worker, claimed);
    }
  } catch (error) {
    worker.log.warn({ err: error, instance: worker.instance }, 'import worker could not claim a job');
  }
}

export function startImportWorker(options: ImportWorkerOptions): ImportWorker {
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const worker: Worker = {
    ...options,
    chunkChars: options.imports.commitsHoldTheProcess ? CHUNK_CHARS : Number.POSITIVE_INFINITY,
    stopping: () => stopping,
  };

  const schedule = () => {
    if (stopping) return;
    timer = setTimeout(() => {
      round = drain(worker).then(schedule);
    }, options.config.pollMs);
  };
  schedule();

  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await round;
    },
  };
}
