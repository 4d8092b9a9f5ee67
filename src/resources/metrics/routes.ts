// The Prometheus scrape endpoint. Deliberately not linked from the home document: it is for operators.
import { requireAction } from '../../http/authentication.ts';
import type { Metrics } from '../../http/metrics.ts';
import type { Routes } from '../../http/routing.ts';
import { endpoints } from '../../links/registry.ts';

export function metricsRoutes(routes: Routes, metrics: Metrics): void {
  routes.get(endpoints.metrics, async (ctx) => {
    // For operators: a scraper sends an admin token (Prometheus: `authorization: { credentials: … }`).
    requireAction(ctx, 'metrics:read');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
}
