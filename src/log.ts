// The process's logger: JSON lines on stdout (pino), at the configured level.
import { type Logger, pino } from 'pino';

export function createLogger(level: string): Logger {
  // The pid tells apart the lines of several workers (WORKERS=N), which share the primary's stdout.
  return pino({ level, base: { pid: process.pid } });
}
