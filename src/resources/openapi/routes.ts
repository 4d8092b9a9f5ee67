// HTTP for the API's OpenAPI description: built once from the routes this process registered, then served on
// each request's public origin (its `servers`), so a tool reads addresses it can call.
import { publicOrigin } from '../../http/origin.ts';
import { type Routes, mediaTypeOf } from '../../http/routing.ts';
import { MOUNT, endpoints } from '../../links/registry.ts';
import { openApiDocument } from './document.ts';

export function openApiRoutes(routes: Routes): void {
  // Built at the first request, when every route is registered (this one may be registered before others).
  let document: object | undefined;
  routes.get(endpoints.openapi, (ctx) => {
    document ??= openApiDocument(routes.operations());
    ctx.type = mediaTypeOf(ctx);
    ctx.body = { ...document, servers: [{ url: publicOrigin(ctx) + MOUNT }] };
  });
}
