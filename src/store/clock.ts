// The clocks as the stores use them: times that several instances compare (import leases) come from the one
// clock they all share, the database's, read in the very statement that stores or compares them; times no two
// instances compare (when a ticket, an FAQ or a token was written) come from this instance's own clock (`now`).
import type { RawBuilder } from 'kysely';

/**
 * Times as the text columns hold them: ISO 8601 in UTC with milliseconds (`2026-11-22T10:00:00.000Z`), the
 * format of JavaScript's toISOString(), so that they compare as they sort and read back unchanged.
 */
export interface DatabaseClock {
  /** The database's time when the statement runs. */
  now(): RawBuilder<string>;
  /** That time moved by `ms` milliseconds (negative: earlier). */
  offset(ms: number): RawBuilder<string>;
}

/** This instance's time, in the text columns' format (see DatabaseClock). */
export function now(): string {
  return new Date().toISOString();
}
