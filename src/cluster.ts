// Several server processes behind one port (WORKERS=N, node:cluster): the primary forks them, replaces one that
// dies with a growing pause, and on SIGTERM lets each drain as a lone server would, then exits.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { exitFlushed } from './log.ts';

/** The primary gives its workers as long as a lone server gives itself (src/server.ts): an orchestrator's 10 s. */
const PRIMARY_SHUTDOWN_MS = 10_000;

/** Replacements of a worker that keeps dying slow down, from a quarter second to ten, counting the last minute. */
export const RESTART_BACKOFF = { firstMs: 250, maxMs: 10_000, windowMs: 60_000 } as const;

/** How long to wait before replacing a dead worker, when `recentDeaths` (at least 1) died in the window. */
export function restartDelay(recentDeaths: number): number {
  return Math.min(RESTART_BACKOFF.maxMs, RESTART_BACKOFF.firstMs * 2 ** Math.max(0, recentDeaths - 1));
}

/**
 * Runs the primary: it opens no database and serves nothing itself (the workers do, sharing the port through
 * the primary). A worker that cannot start before any worker has ever listened means the configuration or the
 * database is wrong: the primary then stops, rather than fork in a loop.
 */
export function runPrimary(workers: number, log: Logger): void {
  let stopping = false;
  let anyListened = false;
  let failed = false;
  const deaths: number[] = [];
  const live = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);

  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', () => (anyListened = true));
  };

  const stop = (signal: NodeJS.Signals | 'failure') => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: live().length }, 'shutting down');
    const cut = setTimeout(() => {
      log.warn(
        { workers: live().map((worker) => worker.process.pid) },
        'workers still running after the shutdown deadline: killing them',
      );
      for (const worker of live()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, PRIMARY_SHUTDOWN_MS);
    cut.unref();
    // Each worker drains on its own SIGTERM (stops accepting, finishes what it has, closes its database).
    for (const worker of live()) worker.process.kill('SIGTERM');
    if (live().length === 0) finish();
  };

  const finish = () => {
    log.info('stopped');
    exitFlushed(failed ? 1 : 0, log);
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) failed = true;
      if (live().length === 0) finish();
      return;
    }
    if (!anyListened) {
      log.error({ worker: worker.process.pid, code, signal }, 'a worker could not start');
      failed = true;
      return stop('failure');
    }
    const now = Date.now();
    deaths.push(now);
    while ((deaths[0] ?? now) < now - RESTART_BACKOFF.windowMs) deaths.shift();
    const delay = restartDelay(deaths.length);
    log.error({ worker: worker.process.pid, code, signal, restartInMs: delay }, 'a worker died');
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  log.info({ workers }, 'starting workers');
  for (let n = 0; n < workers; n += 1) fork();
}
