// Prometheus metrics of HTTP: requests and latency by route template, method, status and API version, who still
// calls FAQ contract v1 (so an operator can retire it safely), and rate-limit refusals. Registered in the server's
// own registry (src/metrics/registry.ts), so servers in one process never share counts.
import type { Context } from 'koa';
import { Counter, Histogram, type Registry } from 'prom-client';
import { requestState } from './request-state.ts';

/** Distinct callers tracked before the rest are counted together, so a stream of odd User-Agents cannot blow up memory. */
const MAX_CALLERS = 200;

type ApiVersion = 'v1' | 'current';

export interface Metrics {
  registry: Registry;
  /** Counts and times one answer, errors included, given the milliseconds it took (request-log.ts times it). */
  observe: (ctx: Context, ms: number) => void;
}

/** Who is calling: the authenticated caller's name once there is one, else the User-Agent. */
function callerOf(ctx: Context): string {
  const caller = requestState(ctx).caller;
  const name = caller && 'name' in caller ? caller.name : undefined;
  return (name ?? ctx.get('User-Agent') ?? '').slice(0, 120) || 'unknown';
}

export interface RequestLabels {
  /** Which FAQ contract an address belongs to. */
  versionOf: (path: string) => ApiVersion;
  /**
   * The template of the route an address belongs to, whether or not its handler ran (a 401 or 429 is answered
   * before routing, a probe beside it); undefined for an address no route has.
   */
  routeOf: (ctx: Context) => string | undefined;
}

const labelNames = ['route', 'method', 'status', 'api_version'] as const;

/** Requests answered and their durations, by route, method, status and API version. */
function answerSeries(registry: Registry) {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  /**
   * Each series' counter and histogram, bound to its labels once: prom-client otherwise hashes the labels on
   * every inc and observe. Routes, methods and statuses are few, so the map stays small.
   */
  const series = new Map<
    string,
    { requests: ReturnType<typeof requests.labels>; duration: ReturnType<typeof duration.labels> }
  >();
  return (route: string, method: string, status: number, apiVersion: ApiVersion) => {
    const key = `${route} ${method} ${status} ${apiVersion}`;
    let bound = series.get(key);
    if (!bound) {
      const labels = { route, method, status: String(status), api_version: apiVersion };
      bound = { requests: requests.labels(labels), duration: duration.labels(labels) };
      series.set(key, bound);
    }
    return bound;
  };
}

/** Calls to FAQ contract v1, and calls from clients that state their contract, by caller (bounded in number). */
function contractSeries(registry: Registry) {
  const v1Calls = new Counter({
    name: 'helpdesk_v1_calls_total',
    help: 'Calls to FAQ contract v1, by caller',
    labelNames: ['caller'],
    registers: [registry],
  });
  const contractCalls = new Counter({
    name: 'helpdesk_contract_calls_total',
    help: 'Calls from clients that state the FAQ contract they speak (User-Agent "… faq-contract/N"), by caller and contract',
    labelNames: ['caller', 'contract'],
    registers: [registry],
  });
  const callers = new Set<string>();
  /** A caller's label, or "other" once MAX_CALLERS distinct ones are tracked. */
  const tracked = (caller: string) => {
    if (callers.has(caller)) return caller;
    if (callers.size >= MAX_CALLERS) return 'other';
    callers.add(caller);
    return caller;
  };
  return (ctx: Context, apiVersion: ApiVersion) => {
    if (apiVersion === 'v1') v1Calls.inc({ caller: tracked(callerOf(ctx)) });
    // Our own services say which contract they were built for, so an operator sees who still needs which.
    const contract = /\bfaq-contract\/(\d{1,3})\b/.exec(ctx.get('User-Agent'))?.[1];
    if (contract !== undefined) contractCalls.inc({ caller: tracked(callerOf(ctx)), contract });
  };
}

export function createMetrics(registry: Registry, { versionOf, routeOf }: RequestLabels): Metrics {
  const seriesOf = answerSeries(registry);
  const countContracts = contractSeries(registry);
  return {
    registry,
    observe(ctx, ms) {
      const apiVersion = versionOf(ctx.path);
      // The route is the path template: adding a query variable keeps the series.
      const bound = seriesOf(routeOf(ctx) ?? 'unmatched', ctx.method, ctx.status, apiVersion);
      bound.requests.inc();
      bound.duration.observe(ms / 1e3);
      countContracts(ctx, apiVersion);
    },
  };
}

export type RefusalKind = 'token' | 'address';

/** Counts the requests the rate limiter refuses (429), by what was limited: a token, or an address. */
export function countRefusals(registry: Registry): (kind: RefusalKind) => void {
  const refusals = new Counter({
    name: 'helpdesk_rate_limit_refusals_total',
    help: 'Requests refused by the rate limiter (429), by what was limited: a token or an address',
    labelNames: ['kind'],
    registers: [registry],
  });
  // Both series from the start, so that rate() sees the first refusal as an increase from 0.
  const bound = { token: refusals.labels({ kind: 'token' }), address: refusals.labels({ kind: 'address' }) };
  bound.token.inc(0);
  bound.address.inc(0);
  return (kind) => bound[kind].inc();
}
