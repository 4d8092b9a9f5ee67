// The process's logger: JSON lines on stdout (pino), at the configured level, written asynchronously.
import { type Logger, pino } from 'pino';

export function createLogger(level: string): Logger {
  // The pid tells apart the lines of several workers (WORKERS=N), which share the primary's stdout.
  // Asynchronous: lines written while a write is under way are sent together in the next one, rather than one
  // blocking write per request. Whatever is left at exit is written synchronously (pino flushes on 'exit'), and
  // a clean shutdown waits for the writes in flight first (exitFlushed).
  // minLength 1 sends every line at once (none waits for a fuller buffer), and makes flush() wait until the
  // writes under way are done (with 0 it calls back at once).
  // No line logs request headers today; should one ever log them, or an object carrying them, the bearer
  // token is masked rather than written down.
  const redact = {
    paths: ['authorization', 'headers.authorization', 'req.headers.authorization'],
    censor: '[REDACTED]',
  };
  return pino({ level, base: { pid: process.pid }, redact }, pino.destination({ dest: 1, sync: false, minLength: 1 }));
}

/** Resolves once every line logged so far has reached stdout. */
function flushed(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}

/** Exits with `code` once the lines of `logs` are written: a line logged just before a clean exit is never lost. */
export function exitFlushed(code: number, ...logs: Logger[]): void {
  // Bounded: a stdout nobody reads must not keep a stopping process alive.
  setTimeout(() => process.exit(code), 2_000).unref();
  void Promise.all(logs.map(flushed)).finally(() => process.exit(code));
}
