// Builds the Koa application. The middleware below reads top to bottom as the life of a request.
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { jsonBodies } from './http/body.ts';
import { conditionalGet } from './http/conditional.ts';
import { createMetrics } from './http/metrics.ts';
import { renderProblems } from './http/problem-renderer.ts';
import { logRequests } from './http/request-log.ts';
import { Routes } from './http/routing.ts';
import { docsRoutes } from './resources/docs/routes.ts';
import { faqRoutes } from './resources/faqs/routes.ts';
import { homeRoutes } from './resources/home/routes.ts';
import { metricsRoutes } from './resources/metrics/routes.ts';
import { schemaRoutes } from './resources/schemas/routes.ts';
import { searchRoutes } from './resources/search/routes.ts';
import { ticketRoutes } from './resources/tickets/routes.ts';
import { announceDeprecation, isV1 } from './resources/v1/deprecation.ts';
import { v1Routes } from './resources/v1/routes.ts';
import type { Store } from './store/index.ts';

export interface AppDependencies {
  config: Pick<Config, 'v1DeprecatedAt' | 'v1Sunset'>;
  store: Store;
  log: Logger;
}

export function buildApp({ config, store, log }: AppDependencies): Koa {
  const metrics = createMetrics((path) => (isV1(path) ? 'v1' : 'current'));

  // One URI per thing: `/Tickets/` is not `/tickets`. Every route is registered by its registry endpoint.
  const routes = new Routes(new Router({ strict: true, sensitive: true }));
  homeRoutes(routes);
  ticketRoutes(routes, store);
  faqRoutes(routes, store);
  searchRoutes(routes, store);
  v1Routes(routes, store);
  schemaRoutes(routes);
  docsRoutes(routes);
  metricsRoutes(routes, metrics);

  const app = new Koa();
  app.use(logRequests(log)); // request id in, one log line out
  app.use(metrics.measure); // counts and times every answer, errors included
  app.use(announceDeprecation({ deprecatedAt: config.v1DeprecatedAt, sunset: config.v1Sunset })); // /v1/ only
  app.use(renderProblems(log)); // every failure below becomes a problem document
  app.use(conditionalGet()); // ETag on every GET, 304 when the client's copy is current
  app.use(jsonBodies()); // 415 unless JSON, 413 past 100 kB, 400 when malformed
  app.use(routes.router.routes()); // negotiation (406) then the handler, per endpoint
  app.use(routes.router.allowedMethods()); // 405 with Allow, 501, OPTIONS
  return app;
}
