// The process's one Prometheus registry, with the process's own series: made once per server, before the store
// opens (its queries are timed from the first), and handed to everything that counts something.
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Gauges prom-client adds by default under names Prometheus reserves for counters (`promtool check metrics`
 * reports them). Each is the sum of a by-type gauge it also exports (`nodejs_active_handles{type}`…), so nothing
 * is lost: `sum(nodejs_active_handles)` is the same number.
 */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export function createRegistry(): Registry {
  const registry = new Registry();
  // The event loop's delay among them (nodejs_eventloop_lag_*: what synchronous work cost everyone else since
  // the last scrape; README, Metrics).
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  return registry;
}
