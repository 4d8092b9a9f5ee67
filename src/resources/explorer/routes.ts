// HTTP for the explorer: its page at /explorer and at every HAL resource a browser opens, and its built files,
// all under the server's mount (BASE_PATH), as the registry places them.
import type { Context, Next } from 'koa';
import { HAL_JSON } from '../../http/media-types.ts';
import { prefersHtml } from '../../http/negotiation.ts';
import { notFound } from '../../http/problem.ts';
import { requestState } from '../../http/request-state.ts';
import type { Routes } from '../../http/routing.ts';
import { MOUNT, endpoints } from '../../links/registry.ts';
import { pathParam } from '../load.ts';
import type { ExplorerBuild } from './build.ts';
import { CONTENT_SECURITY_POLICY, shellPage } from './shell.ts';

type Files = () => Promise<ExplorerBuild>;

const READS = new Set(['GET', 'HEAD']);
/** The endpoints with representations of their own: the explorer never stands in for them. */
const NOT_HAL = Object.values(endpoints).filter((endpoint) => !endpoint.representations.includes(HAL_JSON));

async function sendShell(ctx: Context, files: Files): Promise<void> {
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  ctx.set('Cache-Control', 'no-cache'); // revalidated (by ETag) on every load, so a new build is picked up at once
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = shellPage(await files());
}

/** True for paths under this server's mount (BASE_PATH): every path when it has none. */
function mounted(path: string): boolean {
  return MOUNT === '' || path === MOUNT || path.startsWith(`${MOUNT}/`);
}

/**
 * True for paths the explorer stands in for: HAL resources, and paths under the mount nothing answers (the
 * explorer shows the 404). Paths with representations of their own (relation pages, schemas, metrics, the
 * explorer's files) keep them, and a path outside the mount is not this server's to show.
 */
function explorable(path: string): boolean {
  return !NOT_HAL.some((endpoint) => endpoint.match(path) !== undefined);
}

/**
 * A browser opening an API URL (it prefers text/html to every JSON type) gets the explorer page, opened at
 * that resource. Everyone else, curl's `*\/*` included, goes on to the resource as before.
 */
export function explorerForBrowsers(files: Files) {
  return async (ctx: Context, next: Next) => {
    if (!READS.has(ctx.method) || !mounted(ctx.path)) {
      await next();
      return;
    }
    // Every route under the mount negotiates (and so varies by Accept) too; a path none answers varies here.
    if (!prefersHtml(ctx) || !explorable(ctx.path)) {
      await next();
      return;
    }
    requestState(ctx).endpoint = endpoints.explorer; // what answered, for the metrics (see endpointOf)
    await sendShell(ctx, files);
  };
}

export function explorerRoutes(routes: Routes, files: Files): void {
  routes.get(endpoints.explorer, (ctx) => sendShell(ctx, files));

  routes.get(endpoints.explorerAsset, async (ctx) => {
    const name = pathParam(ctx, 'name');
    const asset = (await files()).assets.get(name);
    if (!asset) throw notFound(`The explorer has no file "${name}"; its files are renamed on every build.`);
    // The name carries the content's hash: a new build has new names, so a copy never goes stale.
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('ETag', asset.etag);
    ctx.type = asset.type;
    ctx.body = asset.contents; // conditionalGet answers 304 when the browser's copy has this ETag
  });
}
