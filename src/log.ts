// The process's logger: JSON lines on stdout (pino), at the configured level.
import { type Logger, pino } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: undefined });
}
