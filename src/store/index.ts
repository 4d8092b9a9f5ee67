// The store: one database, the queries of each resource over it, and the shared rate-limit counters.
import type { Kysely } from 'kysely';
import { type RateLimiterAbstract, RateLimiterSQLite } from 'rate-limiter-flexible';
import { type DatabaseOptions, openDatabase, openLimitsDatabase } from './database.ts';
import { FaqStore } from './faqs.ts';
import type { Database } from './schema.ts';
import { TicketStore } from './tickets.ts';
import { TokenStore } from './tokens.ts';

export interface RateLimitOptions {
  /** Distinguishes limiters that share the table (per token, per address). */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

export interface Store {
  tickets: TicketStore;
  faqs: FaqStore;
  tokens: TokenStore;
  db: Kysely<Database>;
  /** A limiter whose counts live in the database, so every instance on it shares them. */
  rateLimiter(options: RateLimitOptions): Promise<RateLimiterAbstract>;
  close(): Promise<void>;
}

export async function openStore(options: DatabaseOptions): Promise<Store> {
  const db = await openDatabase(options);
  const limits = openLimitsDatabase(options);
  return {
    tickets: new TicketStore(db),
    faqs: new FaqStore(db),
    tokens: new TokenStore(db),
    db,
    rateLimiter: ({ keyPrefix, points, durationSeconds }) =>
      new Promise((resolve, reject) => {
        const options = { storeClient: limits, storeType: 'better-sqlite3', tableName: 'rate_limits', keyPrefix, points, duration: durationSeconds, clearExpiredByTimeout: true };
        // The table is made asynchronously; the limiter is handed out only once it is there.
        const limiter: RateLimiterSQLite = new RateLimiterSQLite(options, (error?: Error) => (error ? reject(error) : resolve(limiter)));
      }),
    async close() {
      await db.destroy();
      limits.close();
    },
  };
}
