// Routes are registered by endpoint, never by a path string: the path comes from the registry's template,
// and content negotiation for the endpoint's media types runs before the handler (a 406 precedes any effect).
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Endpoint } from '../links/registry.ts';
import { HAL_FORMS, HAL_JSON } from './media-types.ts';
import { negotiate } from './negotiation.ts';
import { requestState } from './request-state.ts';

type Handler = (ctx: Context) => unknown;

/** What a route that takes a body says about it. */
export interface BodyOptions {
  /**
   * The handler reads the body itself, with limits of its own (a bulk import's NDJSON, up to 10 MB): the shared
   * JSON reader (jsonBodies, before routing) leaves it unread.
   */
  ownBody?: boolean;
}

function negotiateFor(endpoint: Endpoint) {
  return async (ctx: Context, next: Next) => {
    requestState(ctx).endpoint = endpoint;
    negotiate(ctx, endpoint);
    await next();
  };
}

/** Paths whose matches are kept (see keepMatches): any path may be asked for, so they are bounded in number and length. */
const KEPT_MATCHES = 1000;
const KEPT_PATH_LENGTH = 200;

/**
 * The router tries every route's pattern, one after another, on every request (some forty here). What a method
 * and path match does not change while the routes do not, so it is kept: each request gets its own copy of the
 * list the router stores on it, and a route added drops whatever was kept.
 */
function keepMatches(router: Router): void {
  const match = router.match.bind(router);
  const kept = new Map<string, ReturnType<typeof match>>();
  let layers = router.stack.length;
  router.match = (path, method) => {
    if (router.stack.length !== layers) {
      kept.clear();
      layers = router.stack.length;
    }
    if (path.length > KEPT_PATH_LENGTH) return match(path, method);
    const key = `${method} ${path}`;
    let found = kept.get(key);
    if (found === undefined) {
      found = match(path, method);
      if (kept.size >= KEPT_MATCHES) kept.clear();
      kept.set(key, found);
    }
    // The list of layers the router stores on the request (ctx.matched) is its own copy; the rest is only read.
    return { route: found.route, path: found.path.slice(), pathAndMethod: found.pathAndMethod };
  };
}

export class Routes {
  /** Each registered endpoint by its route path, to name the route of a request answered before routing. */
  private readonly byRoutePath = new Map<string, Endpoint>();
  /** The routes whose handlers read their own bodies, as method and endpoint. */
  private readonly ownBodies: { method: string; endpoint: Endpoint }[] = [];

  constructor(readonly router: Router) {
    keepMatches(router);
  }

  /** The endpoint whose route this path belongs to, whatever the method; undefined when no route has it. */
  endpointAt(path: string): Endpoint | undefined {
    for (const layer of this.router.match(path, 'GET').path) {
      const endpoint = typeof layer.path === 'string' ? this.byRoutePath.get(layer.path) : undefined;
      if (endpoint) return endpoint;
    }
    return undefined;
  }

  /** Whether the route this request is for reads its own body (see BodyOptions), so no reader before it may. */
  readsOwnBody(ctx: Context): boolean {
    return this.ownBodies.some(
      ({ method, endpoint }) => method === ctx.method && endpoint.match(ctx.path) !== undefined,
    );
  }

  /** Every operation registered, read from the router itself (HEAD comes with GET): what the API description lists. */
  operations(): { method: string; endpoint: Endpoint }[] {
    return this.router.stack.flatMap((layer) => {
      const endpoint = typeof layer.path === 'string' ? this.byRoutePath.get(layer.path) : undefined;
      return endpoint
        ? layer.methods.filter((method) => method !== 'HEAD').map((method) => ({ method, endpoint }))
        : [];
    });
  }

  private add(
    method: 'get' | 'post' | 'put' | 'patch' | 'delete',
    endpoint: Endpoint,
    handler: Handler,
    { ownBody = false }: BodyOptions = {},
  ): this {
    this.byRoutePath.set(endpoint.routePath, endpoint);
    if (ownBody) this.ownBodies.push({ method: method.toUpperCase(), endpoint });
    this.router[method](endpoint.routePath, negotiateFor(endpoint), async (ctx) => {
      await handler(ctx);
    });
    return this;
  }

  get(endpoint: Endpoint, handler: Handler) {
    return this.add('get', endpoint, handler);
  }
  post(endpoint: Endpoint, handler: Handler, options?: BodyOptions) {
    return this.add('post', endpoint, handler, options);
  }
  put(endpoint: Endpoint, handler: Handler, options?: BodyOptions) {
    return this.add('put', endpoint, handler, options);
  }
  patch(endpoint: Endpoint, handler: Handler, options?: BodyOptions) {
    return this.add('patch', endpoint, handler, options);
  }
  delete(endpoint: Endpoint, handler: Handler) {
    return this.add('delete', endpoint, handler);
  }
}

/** The media type settled for this request. */
export function mediaTypeOf(ctx: Context): string {
  return requestState(ctx).mediaType ?? HAL_JSON;
}

export function wantsForms(ctx: Context): boolean {
  return mediaTypeOf(ctx) === HAL_FORMS;
}

/** The endpoint whose route answered this request, if any. */
export function endpointOf(ctx: Context): Endpoint | undefined {
  return requestState(ctx).endpoint;
}
