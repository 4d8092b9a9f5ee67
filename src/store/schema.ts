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

export interface FaqRelatedTable {
  faq_id: number;
  related_id: number;
  position: number;
}

/** Live row counts per status, kept by triggers so that a page never counts the table. */
export interface CountersTable {
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

export interface Database {
  tickets: TicketsTable;
  faqs: FaqsTable;
  faq_related: FaqRelatedTable;
  counters: CountersTable;
  tokens: TokensTable;
}
