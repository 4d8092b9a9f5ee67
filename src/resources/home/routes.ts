// HTTP for the home document.
import { callerOf } from '../../http/authentication.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { endpoints } from '../../links/registry.ts';
import { type FaqCollections, type HomeContents, homeResource } from './representation.ts';

/** What this process's home document lists (src/services.ts decides it). */
export interface HomeSource {
  tickets: boolean;
  /** The FAQ collections as they are known now (undefined while the FAQ service cannot be reached). */
  faqs(): Promise<FaqCollections | undefined>;
}

export function homeRoutes(routes: Routes, source: HomeSource): void {
  routes.get(endpoints.home, async (ctx) => {
    const contents: HomeContents = { tickets: source.tickets, faqs: await source.faqs() };
    sendResource(ctx, homeResource(callerOf(ctx), contents));
  });
}
