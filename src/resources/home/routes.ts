// HTTP for the home document.
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { endpoints } from '../../links/registry.ts';
import { homeResource } from './representation.ts';

export function homeRoutes(routes: Routes): void {
  routes.get(endpoints.home, (ctx) => sendResource(ctx, homeResource()));
}
