// Bulk imports as an operator watches them: jobs by state (the queue's depth among them), rows given an outcome
// and rows refused, and how long jobs take. Rows per second is `rate(helpdesk_import_rows_processed_total[5m])`.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { EXPIRED, IMPORT_STATES, RECEIVING } from '../domain/imports.ts';
import type { ImportObserver } from '../jobs/import-worker.ts';

const STATES = [RECEIVING, ...IMPORT_STATES, EXPIRED];

/** From a job of a few rows to one of the most rows a job takes. */
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600];

/**
 * Registers the import series and returns the observer the worker tells of its progress. `jobsByState` reads
 * the database's count of jobs per state at each scrape: every instance on one database reports the same
 * numbers (take max, not sum, across instances).
 */
export function watchImports(registry: Registry, jobsByState: () => Promise<Record<string, number>>): ImportObserver {
  new Gauge({
    name: 'helpdesk_import_jobs',
    help: 'Import jobs in the database, by state (receiving: its rows still arriving; queued: waiting for a worker; running; done; failed; expired: past retention)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      // A database out of reach leaves the series out of this scrape, rather than failing the whole scrape.
      this.reset();
      const counts = await jobsByState().catch(() => undefined);
      if (counts) for (const state of STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  const processed = new Counter({
    name: 'helpdesk_import_rows_processed_total',
    help: 'Import rows given an outcome by this instance (a ticket or a problem)',
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'helpdesk_import_rows_rejected_total',
    help: 'Import rows refused by this instance, with a problem each (among the processed ones)',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'helpdesk_import_job_duration_seconds',
    help: 'Time from the claim to the end of an import job this instance finished, by outcome (done or failed)',
    labelNames: ['outcome'],
    buckets: JOB_BUCKETS,
    registers: [registry],
  });
  for (const outcome of ['done', 'failed']) duration.zero({ outcome });
  return {
    chunk(rows, refused) {
      processed.inc(rows);
      rejected.inc(refused);
    },
    finished(outcome, seconds) {
      duration.observe({ outcome }, seconds);
    },
  };
}
