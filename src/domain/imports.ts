// What a bulk import is: a job that turns submitted rows into tickets, one outcome per row, and its life.

export const IMPORT_STATES = ['queued', 'running', 'done', 'failed'] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

/** A job as clients see it: where it is, how far it got, and when each step happened. */
export interface ImportJob {
  id: number;
  state: ImportState;
  /** The name of the token that submitted it. */
  submittedBy: string;
  total: number;
  processed: number;
  created: number;
  rejected: number;
  version: number;
  /** Why the job itself broke (state failed); rejected rows are not failures. */
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * What is kept of a finished job once its retention has passed: that it existed and when it ended, so that its
 * address answers 410 Gone rather than 404. The tickets it created stay, as any others.
 */
export interface ExpiredImport {
  id: number;
  expired: true;
  finishedAt: string;
}

/** The state a job's record takes when its retention has passed; never shown as a job's state. */
export const EXPIRED = 'expired';

/**
 * The state of a job whose rows are still being stored, part by part; it becomes queued once they all are. Never
 * shown: the client has not been answered yet, and one whose submission was cut short never is.
 */
export const RECEIVING = 'receiving';

/** Whether a client should come back later for the outcome. */
export function isUnfinished(job: Pick<ImportJob, 'state'>): boolean {
  return job.state === 'queued' || job.state === 'running';
}

/** The problem document (RFC 9457) of a row that made no ticket, with the row's 1-based number. */
export interface RowProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  row: number;
  errors?: { pointer?: string; detail: string }[];
}

/** What one row came to: a ticket's fields to create, or the problem that stops it. */
export type RowOutcome<Fields> = { row: number; fields: Fields } | { row: number; problem: RowProblem };
