// HTTP for the home document.
import { callerOf } from '../../http/authentication.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { endpoints } from '../../links/registry.ts';
import { homeResource } from './representation.ts';

export function homeRoutes(routes: Routes): void {
  routes.get(endpoints.home, (ctx) => sendResource(ctx, homeResource(callerOf(ctx))));
}
