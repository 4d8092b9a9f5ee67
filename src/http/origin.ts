// The public origin (scheme://host[:port]) every address the API writes is built on: PUBLIC_URL's when it is set,
// else the one the request was made to, but only if it names a host the server answers to (ALLOWED_HOSTS). A
// request naming any other host is refused here, before authentication, so nothing is ever built from it: a
// forged Host cannot put its name into a link, a cached answer or a URI another service keeps.
import type { Context, Next } from 'koa';
import { Problem } from './problem.ts';
import { requestState } from './request-state.ts';

export interface OriginSettings {
  /** The configured public root, or undefined to take the origin from each request. */
  publicUrl: string | undefined;
  /** Host names (any port), or `name:port` (that port only), lower-cased. */
  allowedHosts: readonly string[];
}

/**
 * The origin a request was made to, from its scheme and host, or undefined when it names a host not allowed (or
 * none, or not one at all). Koa's `protocol` and `host` read X-Forwarded-Proto and X-Forwarded-Host only when
 * `app.proxy` trusts a proxy (TRUST_PROXY); otherwise they are the socket's and the Host header's, and a client's
 * X-Forwarded-* is ignored.
 */
function originOf(protocol: string, host: string, allowedHosts: readonly string[]): string | undefined {
  if ((protocol !== 'http' && protocol !== 'https') || host === '') return undefined;
  let url: URL;
  try {
    url = new URL(`${protocol}://${host}`);
  } catch {
    return undefined;
  }
  // Anything beyond a host and port (a path, a query, user info) is no host name: nothing is made of it.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return undefined;
  return allowedHosts.includes(url.hostname) || allowedHosts.includes(url.host) ? url.origin : undefined;
}

/** Where the request came in, from the socket alone: for answers to a request whose own host was refused. */
function socketOrigin(ctx: Context): string {
  const { localAddress = '127.0.0.1', localPort } = ctx.req.socket;
  const host = localAddress.includes(':') ? `[${localAddress}]` : localAddress;
  return `${'encrypted' in ctx.req.socket ? 'https' : 'http'}://${host}${localPort === undefined ? '' : `:${localPort}`}`;
}

/**
 * The request's public origin, fixed by `publicOrigins().resolve` for everything below it; before it (nothing
 * answers there), the address the socket was reached at, never anything the client wrote.
 */
export function publicOrigin(ctx: Context): string {
  return requestState(ctx).origin ?? socketOrigin(ctx);
}

/** A path of this server (`/tickets/1`) as an absolute URI; anything else (absolute already) as it is. */
export function absoluteOn(origin: string, href: string): string {
  // Concatenated, not resolved with URL: a template's `{` and `}` must stay as written.
  return href.startsWith('/') && !href.startsWith('//') ? origin + href : href;
}

/** Allowed hosts whose origins are kept (see publicOrigins). */
const MAX_KNOWN_HOSTS = 256;

/** The `<…>` references of a Link header value that are paths of this server. */
const LINK_TARGET = /<(\/(?:[^/<>][^<>]*)?)>/g;

/** Location, Content-Location and Link, wherever they were set, made absolute on the request's origin. */
function absoluteHeaders(ctx: Context, origin: string): void {
  for (const name of ['Location', 'Content-Location']) {
    const value = ctx.response.get(name);
    if (typeof value === 'string' && value !== '') ctx.set(name, absoluteOn(origin, value));
  }
  // Several middlewares add to Link (ctx.append), which makes it a list. Most links are written absolute already
  // (a HAL resource's, a kept answer's): a value with no `</` has no path to change, and is left as it is.
  const link = ctx.response.get('Link') as string | string[] | undefined;
  const absolute = (value: string) => value.replace(LINK_TARGET, (_, path: string) => `<${origin}${path}>`);
  if (typeof link === 'string' && link.includes('</')) ctx.set('Link', absolute(link));
  else if (Array.isArray(link)) ctx.set('Link', link.map(absolute));
}

/**
 * `resolve` fixes each request's public origin, first thing below the problem renderer, so that every answer,
 * a problem included, is written on it; and makes the address headers set below it absolute. It never refuses:
 * `refuseMisdirected`, checked after the probes (orchestrators probe by address) and before authentication
 * (request-guard.ts), answers 421 to a request that named a host the server does not answer to. Such a request's origin is PUBLIC_URL's,
 * or where the socket was reached: nothing is built from the host it named.
 */
export function publicOrigins(settings: OriginSettings) {
  const configured = settings.publicUrl === undefined ? undefined : new URL(settings.publicUrl).origin;
  /**
   * The origin of each allowed host seen, by scheme and Host as the request gave them, so that a URL is parsed
   * once per host rather than once per request. Only allowed hosts are kept (a host refused is worked out again
   * each time), and at most MAX_KNOWN_HOSTS: any port of an allowed name may be named.
   */
  const known = new Map<string, string>();
  const ownOrigin = (ctx: Context): string | undefined => {
    const { protocol, host } = ctx;
    const key = `${protocol}://${host}`;
    let origin = known.get(key);
    if (origin === undefined) {
      origin = originOf(protocol, host, settings.allowedHosts);
      if (origin === undefined) return undefined;
      if (known.size >= MAX_KNOWN_HOSTS) known.clear();
      known.set(key, origin);
    }
    return origin;
  };
  return {
    resolve: async (ctx: Context, next: Next) => {
      const own = ownOrigin(ctx);
      const origin = configured ?? own ?? socketOrigin(ctx);
      const state = requestState(ctx);
      state.origin = origin;
      state.hostAllowed = own !== undefined;
      try {
        await next();
      } finally {
        absoluteHeaders(ctx, origin);
      }
    },
    /** Throws 421 when the request named a host the server does not answer to (see `resolve`). */
    refuseMisdirected: (ctx: Context): void => {
      if (requestState(ctx).hostAllowed !== true) {
        throw new Problem(
          'misdirected-request',
          `This server does not answer to the host this request named. Send it to one of its own hosts (ALLOWED_HOSTS)${configured ? `, such as ${configured}` : ''}.`,
        );
      }
    },
  };
}
