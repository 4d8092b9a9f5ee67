// Builds the Koa application. The middleware below reads top to bottom as the life of a request.
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { jsonBodies } from './http/body.ts';
import { conditionalGet } from './http/conditional.ts';
import { renderProblems } from './http/problem-renderer.ts';
import { logRequests } from './http/request-log.ts';
import { Routes } from './http/routing.ts';
import { faqRoutes } from './resources/faqs/routes.ts';
import { homeRoutes } from './resources/home/routes.ts';
import { searchRoutes } from './resources/search/routes.ts';
import { ticketRoutes } from './resources/tickets/routes.ts';
import type { Store } from './store/index.ts';

export interface AppDependencies {
  store: Store;
  log: Logger;
}

export function buildApp({ store, log }: AppDependencies): Koa {
  // One URI per thing: `/Tickets/` is not `/tickets`.
  const router = new Router({ strict: true, sensitive: true });
  const routes = new Routes(router);
  homeRoutes(routes);
  ticketRoutes(routes, store);
  faqRoutes(routes, store);
  searchRoutes(routes, store);

  const app = new Koa();
  app.use(logRequests(log)); // request id in, one log line out
  app.use(renderProblems(log)); // every failure below becomes a problem document
  app.use(conditionalGet()); // ETag on every GET, 304 when the client's copy is current
  app.use(jsonBodies()); // 415 unless JSON, 413 past 100 kB, 400 when malformed
  app.use(router.routes());
  app.use(router.allowedMethods()); // 405 with Allow, 501, OPTIONS
  return app;
}
