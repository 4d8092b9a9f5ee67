// Prometheus metrics: requests and latency by route template, method, status and API version, and who still
// calls FAQ contract v1 (so an operator can retire it safely). One registry per app, so apps never share counts.
import type { Context, Next } from 'koa';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { endpointOf } from './routing.ts';

/**
 * Gauges prom-client adds by default under names Prometheus reserves for counters (`promtool check metrics`
 * reports them). Each is the sum of a by-type gauge it also exports (`nodejs_active_handles{type}`…), so nothing
 * is lost: `sum(nodejs_active_handles)` is the same number.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Distinct callers tracked before the rest are counted together, so a stream of odd User-Agents cannot blow up memory. */
const MAX_CALLERS = 200;

export type ApiVersion = 'v1' | 'current';

export interface Metrics {
  registry: Registry;
  measure(ctx: Context, next: Next): Promise<void>;
}

/** Who is calling: the authenticated caller's name once there is one, else the User-Agent. */
function callerOf(ctx: Context): string {
  const name = (ctx.state.caller as { name?: string } | undefined)?.name;
  return (name ?? ctx.get('User-Agent') ?? '').slice(0, 120) || 'unknown';
}

export function createMetrics(versionOf: (path: string) => ApiVersion): Metrics {
  const registry = new Registry();
  // The process's own series, the event loop's delay among them (nodejs_eventloop_lag_*: what synchronous work
  // cost everyone else since the last scrape; README, Metrics).
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  const labelNames = ['route', 'method', 'status', 'api_version'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const v1Calls = new Counter({ name: 'helpdesk_v1_calls_total', help: 'Calls to FAQ contract v1, by caller', labelNames: ['caller'], registers: [registry] });
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

  /**
   * Each series' counter and histogram, bound to its labels once: prom-client otherwise hashes the labels on
   * every inc and observe. Routes, methods and statuses are few, so the map stays small.
   */
  const series = new Map<string, { requests: ReturnType<typeof requests.labels>; duration: ReturnType<typeof duration.labels> }>();
  const seriesOf = (route: string, method: string, status: number, apiVersion: ApiVersion) => {
    const key = `${route} ${method} ${status} ${apiVersion}`;
    let bound = series.get(key);
    if (!bound) {
      const labels = { route, method, status: String(status), api_version: apiVersion };
      bound = { requests: requests.labels(labels), duration: duration.labels(labels) };
      series.set(key, bound);
    }
    return bound;
  };

  return {
    registry,
    async measure(ctx, next) {
      const started = performance.now();
      try {
        await next();
      } finally {
        const apiVersion = versionOf(ctx.path);
        // The route is the path template: adding a query variable keeps the series.
        const bound = seriesOf(endpointOf(ctx)?.path ?? 'unmatched', ctx.method, ctx.status, apiVersion);
        bound.requests.inc();
        bound.duration.observe((performance.now() - started) / 1e3);
        if (apiVersion === 'v1') v1Calls.inc({ caller: tracked(callerOf(ctx)) });
        // Our own services say which contract they were built for, so an operator sees who still needs which.
        const contract = /\bfaq-contract\/(\d{1,3})\b/.exec(ctx.get('User-Agent'))?.[1];
        if (contract !== undefined) contractCalls.inc({ caller: tracked(callerOf(ctx)), contract });
      }
    },
  };
}
