// Renders every failure as one RFC 9457 problem document: thrown Problems, library errors that carry an HTTP
// status, bare statuses left by the router (404, 405, 501), a database out of reach (503), and bugs (500,
// logged, never shown).
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { requestFields } from './request-log.ts';
import { PROBLEM_JSON } from './media-types.ts';
import { isUnavailable } from '../store/errors.ts';
import { publicOrigin } from './origin.ts';
import { Problem, kindForStatus } from './problem.ts';

interface HttpError extends Error {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  headers?: Record<string, string>;
}

const FALLBACK_DETAIL: Record<number, string> = {
  404: 'Nothing lives at this address.',
  405: 'This resource does not support that method; the Allow header lists the ones it does.',
  501: 'The server does not implement that method.',
};

/** How soon a client may try again when the database was out of reach: a restart takes a few seconds. */
const DATABASE_RETRY_AFTER_SECONDS = 2;

/** A database that is restarting or unreachable is a passing condition, not a bug: 503, and come back soon. */
const databaseUnavailable = () =>
  new Problem(
    'service-unavailable',
    'The database cannot be reached right now. Retry after the time Retry-After says; if this was a write, read the resource first: it may have landed.',
    { headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) } },
  );

/** Library errors (koa-body's 400 and 413, for example) become Problems; anything else is a bug. */
function toProblem(error: unknown): Problem | undefined {
  if (error instanceof Problem) return error;
  const e = error as HttpError;
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && e.expose !== false) {
    return new Problem(kindForStatus(status), describeLibraryError(status, e.message));
  }
  return undefined;
}

function describeLibraryError(status: number, message: string): string {
  if (status === 413) return 'The request body is larger than the 100 kB this API accepts.';
  if (status === 400 && /json|token|unexpected|position/i.test(message))
    return `The body is not valid JSON: ${message}`;
  return message;
}

function render(ctx: Context, problem: Problem): void {
  ctx.status = problem.status;
  for (const [name, value] of Object.entries(problem.headers)) ctx.set(name, value);
  ctx.type = PROBLEM_JSON;
  // Absolute, as every address the API writes: the type on the request's public origin, the instance too.
  const origin = publicOrigin(ctx);
  ctx.body = problem.toDocument(origin + ctx.path, origin);
}

export function renderProblems(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status >= 400 && ctx.body == null) {
        render(ctx, new Problem(kindForStatus(ctx.status), FALLBACK_DETAIL[ctx.status] ?? ctx.message));
      }
    } catch (error) {
      // Each line carries the request id (src/http/request-log.ts), so a stack is joined to its request line.
      const request = requestFields(ctx);
      if (isUnavailable(error)) {
        log.warn({ err: error, ...request }, 'database unavailable');
        return render(ctx, databaseUnavailable());
      }
      const problem = toProblem(error);
      if (problem) return render(ctx, problem);
      log.error({ err: error, ...request }, 'unhandled error');
      render(ctx, new Problem('internal-error', 'Something went wrong on our side; it has been logged.'));
    }
  };
}
