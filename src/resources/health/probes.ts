// Liveness (/health) and readiness (/ready) for load balancers and orchestrators. They are answered before
// authentication and rate limits, which need the database: liveness must not depend on it, and a probe has no
// token. Readiness fails while the database does not answer and once the server has begun to shut down. Other
// services this one calls are reported (warn) but never fail readiness: restarting or unrouting this service
// would not bring them back, and what does not need them keeps working.
import type { Context } from 'koa';
import { negotiate } from '../../http/negotiation.ts';
import { Problem } from '../../http/problem.ts';
import { requestState } from '../../http/request-state.ts';
import { mediaTypeOf } from '../../http/routing.ts';
import type { Endpoint } from '../../links/registry.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';

/** A database that has not answered by then counts as not answering. */
const DATABASE_PATIENCE_MS = 2_000;
/** When a load balancer should ask again after a failed readiness probe. */
const RETRY_AFTER_SECONDS = 5;

export interface ProbeDependencies {
  store: Pick<Store, 'ping' | 'engine'>;
  /** True once the server has begun a graceful shutdown. */
  draining: () => boolean;
  /** Services this one depends on, by check name: each resolves to a check whose status is pass or warn. */
  dependencies?: Record<string, () => Promise<DependencyCheck>>;
}

type Status = 'pass' | 'fail' | 'warn';

export interface DependencyCheck {
  status: 'pass' | 'warn';
  check: object;
}

/** The draft's document: an overall status, and per check what was seen. */
function healthDocument(status: Status, checks?: Record<string, object[]>, output?: string): object {
  return { status, ...(output ? { output } : {}), ...(checks ? { checks } : {}) };
}

/**
 * One entry of a check list, as the draft names its fields: which component, how it went, how long the probe
 * that began at `started` (a performance.now()) took, then what else the check reports, and when.
 */
export function observedCheck(
  component: { componentId: string; componentType: string },
  status: Status,
  started: number,
  more: object = {},
): object {
  return {
    ...component,
    status,
    observedValue: Math.round(performance.now() - started),
    observedUnit: 'ms',
    ...more,
    time: new Date().toISOString(),
  };
}

async function databaseCheck(store: ProbeDependencies['store']): Promise<{ status: Status; check: object }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const patience = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), DATABASE_PATIENCE_MS);
  });
  let status: Status = 'pass';
  try {
    await Promise.race([store.ping(), patience]);
  } catch {
    status = 'fail';
  } finally {
    clearTimeout(timer);
  }
  return { status, check: observedCheck({ componentId: store.engine, componentType: 'datastore' }, status, started) };
}

function send(ctx: Context, httpStatus: number, document: object): void {
  ctx.status = httpStatus;
  ctx.body = JSON.stringify(document);
  ctx.type = mediaTypeOf(ctx);
  ctx.set('Cache-Control', 'no-store');
  if (httpStatus === 503) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
}

/** Answers the probe endpoints: `answer` gives the answer for a probe's path, undefined for any other. */
export function probes({ store, draining, dependencies = {} }: ProbeDependencies): {
  answer: (ctx: Context) => Promise<void> | undefined;
} {
  const answer = async (ctx: Context, endpoint: Endpoint) => {
    // Named like a routed request's, so that metrics count probes by their route.
    requestState(ctx).endpoint = endpoint;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      throw new Problem('method-not-allowed', `${ctx.path} answers GET and HEAD only.`, {
        headers: { Allow: 'GET, HEAD' },
      });
    }
    negotiate(ctx, endpoint);
    if (endpoint === endpoints.health) return send(ctx, 200, healthDocument('pass'));
    if (draining()) return send(ctx, 503, healthDocument('fail', undefined, 'The server is shutting down.'));
    const [{ status, check }, others] = await Promise.all([
      databaseCheck(store),
      Promise.all(Object.entries(dependencies).map(async ([name, probe]) => ({ name, ...(await probe()) }))),
    ]);
    const checks: Record<string, object[]> = { 'database:responseTime': [check] };
    for (const other of others) checks[other.name] = [other.check];
    const overall: Status =
      status === 'fail' ? 'fail' : others.some((other) => other.status === 'warn') ? 'warn' : 'pass';
    const output =
      status === 'fail'
        ? 'The database does not answer.'
        : overall === 'warn'
          ? 'A service this one calls does not answer; what needs it answers 503 meanwhile.'
          : undefined;
    send(ctx, status === 'pass' ? 200 : 503, healthDocument(overall, checks, output));
  };
  return {
    answer(ctx) {
      if (ctx.path === endpoints.health.path) return answer(ctx, endpoints.health);
      if (ctx.path === endpoints.ready.path) return answer(ctx, endpoints.ready);
      return undefined;
    },
  };
}
