// Where a request's time goes, for the bench only (BENCH_SPANS=1): the time spent in named parts of answering
// (store, representation, serialisation), summed over the process's life. Off, a span is the bare call.
let enabled = false;

/** Microseconds per part, since start; the bench reads it over IPC (bench/lib/usage-reporter.js). */
const totals: Record<string, number> = {};

/** Turns spans on for the life of the process (src/server.ts, when the configuration says BENCH_SPANS=1). */
export function recordSpans(): void {
  enabled = true;
  (globalThis as Record<symbol, unknown>)[Symbol.for('helpdesk.spans')] = totals;
}

export type Part = 'store' | 'representation' | 'serialisation';

/** Runs `work`, adding its time to `part` when spans are on (a synchronous part, or one awaited at once). */
export function span<T>(part: Part, work: () => T): T {
  if (!enabled) return work();
  const started = performance.now();
  const result = work();
  if (result instanceof Promise) {
    return result.finally(() => (totals[part] = (totals[part] ?? 0) + (performance.now() - started) * 1e3)) as T;
  }
  totals[part] = (totals[part] ?? 0) + (performance.now() - started) * 1e3;
  return result;
}
