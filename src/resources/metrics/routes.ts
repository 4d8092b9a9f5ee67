// The Prometheus scrape endpoint. Deliberately not linked from the home document: it is for operators.
import { requireAction } from '../../http/authentication.ts';
import type { Metrics } from '../../http/metrics.ts';
import type { Routes } from '../../http/routing.ts';
import { endpoints } from '../../links/registry.ts';

export function metricsRoutes(routes: Routes, metrics: Metrics): void {
  routes.get(endpoints.metrics, async (ctx) => {
    // For operators: Prometheus sends METRICS_TOKEN (`authorization: { credentials_file: … }`), or an admin token.
    requireAction(ctx, 'metrics:read');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
}
