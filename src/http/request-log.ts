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

export function logRequests(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const given = ctx.get('X-Request-Id');
    const requestId = ACCEPTABLE_ID.test(given) ? given : randomUUID();
    requestState(ctx).requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ ...requestFields(ctx), status: ctx.status, ms: Math.round(ms * 100) / 100 }, 'request');
    }
  };
}
