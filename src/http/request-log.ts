// One structured log line per request, tied to a request id that the client may send and always gets back.
// No header is logged (Authorization least of all), and credentials in the URL are masked.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { redactUrl } from './credentials.ts';
import { requestState } from './request-state.ts';

const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/**
 * What every line logged about a request names it by: its id (to join the lines of one request) and its method
 * and URL, credentials masked. The request line and each error line use it.
 */
export function requestFields(ctx: Context): { requestId: string | undefined; method: string; url: string } {
  return { requestId: requestState(ctx).requestId, method: ctx.method, url: redactUrl(ctx.url) };
}

/**
 * What else is done once a request is answered, given how long it took: the metrics' observation, the connection
 * closed when the body went unread. Run here, in the outermost step, rather than as steps of their own: each step
 * of Koa's chain costs every request an async frame, a promise and (for a timer) clock reads of its own.
 */
export type Answered = (ctx: Context, ms: number) => void;

/** Request id in; once answered, `answered` in order (each as if the step just inside the one before), then the log line. */
export function logRequests(log: Logger, ...answered: Answered[]) {
  return async (ctx: Context, next: Next) => {
    const given = ctx.get('X-Request-Id');
    const requestId = ACCEPTABLE_ID.test(given) ? given : randomUUID();
    requestState(ctx).requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      for (const step of answered) step(ctx, ms);
      const rounded = Math.round(ms * 100) / 100;
      log.info({ requestId, method: ctx.method, url: redactUrl(ctx.url), status: ctx.status, ms: rounded }, 'request');
    }
  };
}
