// HTTP for the home document.
import type Router from '@koa/router';
import { sendDocument } from '../../http/negotiation.ts';
import { endpoints } from '../../links/registry.ts';
import { homeResource } from './representation.ts';

export function homeRoutes(router: Router): void {
  // The home document never changes while the server runs: build it once.
  const home = homeResource().toJSON();
  router.get(endpoints.home.routePath, (ctx) => sendDocument(ctx, home));
}
