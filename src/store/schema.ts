// The tables as Kysely sees them: the one place that knows column names and types.
import type { Generated } from 'kysely';

export interface TicketsTable {
  id: Generated<number>;
  title: string;
  description: string;
  status: string;
  priority: string;
  requester: string;
  assignee: string | null;
  /** A JSON array of strings. */
  tags: string;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  merged_into: number | null;
}

export interface FaqsTable {
  id: Generated<number>;
  question: string;
  /** The question folded for the uniqueness rule: trimmed, NFC, lower case. */
  question_key: string;
  answer: string | null;
  status: string;
  source_ticket_id: number | null;
  /** The absolute URI of a ticket on another service (the split); null when source_ticket_id names it, or none. */
  source_uri: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

interface FaqRelatedTable {
  faq_id: number;
  related_id: number;
  position: number;
}

/** Live row counts per status, kept by triggers so that a page never counts the table. */
interface CountersTable {
  name: string;
  value: number;
}

/** Bearer tokens: only a SHA-256 hash of each secret is kept. */
export interface TokensTable {
  id: Generated<number>;
  name: string;
  role: string;
  email: string | null;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

/** A bulk import: its job; its rows wait in import_parts until a worker has recorded an outcome for each. */
export interface ImportsTable {
  id: Generated<number>;
  state: string;
  submitted_by: string;
  total: number;
  processed: Generated<number>;
  created: Generated<number>;
  rejected: Generated<number>;
  version: Generated<number>;
  /** The instance whose worker holds the job, and until when (ISO time, the database's clock) without a heartbeat. */
  lease_owner: string | null;
  lease_expires_at: string | null;
  failure: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/**
 * The submitted rows of an import, a part at a time (each a JSON array of at most ~128 kB): read, written and
 * parsed in steps short enough that no other request waits behind them.
 */
interface ImportPartsTable {
  import_id: number;
  part: number;
  /** The 0-based index of the part's first row in the whole import. */
  first_row: number;
  rows: string;
}

/** One outcome per processed row: the ticket it created, or its problem document (JSON). */
interface ImportRowsTable {
  import_id: number;
  row: number;
  ticket_id: number | null;
  problem: string | null;
}

/**
 * One row per committed group of writes (src/store/writes.ts), kept until the next group of the same instance
 * commits: after a COMMIT whose answer was lost, it tells whether that COMMIT landed.
 */
interface CommitMarkersTable {
  id: string;
}

export interface Database {
  tickets: TicketsTable;
  faqs: FaqsTable;
  faq_related: FaqRelatedTable;
  counters: CountersTable;
  tokens: TokensTable;
  imports: ImportsTable;
  import_rows: ImportRowsTable;
  import_parts: ImportPartsTable;
  commit_markers: CommitMarkersTable;
}
