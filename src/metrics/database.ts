// The database as an operator watches it: how long queries take, by operation and engine, and on PostgreSQL how
// busy the connection pool is (read at each scrape).
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { EngineName, PoolStats } from '../store/engines/engine.ts';
import { OPERATIONS, type Operation, type QueryTimer } from '../store/query-timing.ts';

/** From a tenth of a millisecond (a SQLite read by id) to seconds (a search that scans). */
const QUERY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A timer for the store's queries, each observed under its operation and the engine. */
export function timeQueries(registry: Registry, engine: EngineName): QueryTimer {
  const duration = new Histogram({
    name: 'helpdesk_database_query_duration_seconds',
    help: 'Time the database took to run a query, by operation (select, insert, update, delete, transaction, other) and engine',
    labelNames: ['operation', 'engine'],
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  // Bound once: the timer runs on every query.
  const bound = Object.fromEntries(
    OPERATIONS.map((operation) => [operation, duration.labels({ operation, engine })]),
  ) as Record<Operation, ReturnType<typeof duration.labels>>;
  return (operation, seconds) => bound[operation].observe(seconds);
}

/** The pool's connections in use and idle, the most it opens, and the queries waiting for one, read at each scrape. */
export function watchPool(registry: Registry, pool: () => PoolStats): void {
  new Gauge({
    name: 'helpdesk_database_pool_connections',
    help: 'Connections the PostgreSQL pool holds open, by state (in_use: checked out for a query or transaction; idle)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { total, idle } = pool();
      this.set({ state: 'in_use' }, total - idle);
      this.set({ state: 'idle' }, idle);
    },
  });
  new Gauge({
    name: 'helpdesk_database_pool_max_connections',
    help: 'The most connections the PostgreSQL pool opens',
    registers: [registry],
    collect() {
      this.set(pool().max);
    },
  });
  new Gauge({
    name: 'helpdesk_database_pool_waiting_queries',
    help: 'Queries waiting for a PostgreSQL connection because every one the pool may open is in use',
    registers: [registry],
    collect() {
      this.set(pool().waiting);
    },
  });
}
