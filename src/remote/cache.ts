// What a private cache may do with another service's answers (RFC 9111, and RFC 5861's stale-if-error): keep
// one or not, use it without asking until when, and let it stand in while the service is unavailable or not.
import type { Fetched } from './hypermedia.ts';

/** A kept answer. */
export interface CacheEntry {
  fetched: Fetched;
  /** The answer's headers: a 304 updates them (RFC 9111 §4.3.4), and freshness is worked out from the result. */
  headers: Headers;
  etag: string | undefined;
  /** Until when the copy may be used without asking; after that, it is revalidated. */
  freshUntil: number;
  /** False when its answer said no-cache or must-revalidate: then it is never used stale. */
  mayServeStale: boolean;
}

/** What an answer's headers allow a private cache to do with it. */
interface CachePolicy {
  store: boolean;
  freshUntil: number;
  mayServeStale: boolean;
}

/** How long an answer says it is fresh (max-age, else Expires against Date), or undefined when it says nothing. */
function statedLifetimeMs(headers: Headers, cacheControl: string): number | undefined {
  const maxAge = /(?:^|,)\s*max-age=(\d+)/.exec(cacheControl);
  if (maxAge) return Number(maxAge[1]) * 1000;
  const expires = headers.get('Expires');
  if (expires === null) return undefined;
  const lifetime = Date.parse(expires) - Date.parse(headers.get('Date') ?? new Date().toUTCString());
  return Number.isNaN(lifetime) ? 0 : Math.max(0, lifetime); // an invalid Expires means already expired
}

/** Whether to keep an answer, until when it is fresh, and whether it may stand in, stale, for an unavailable service. */
export function cachePolicy(headers: Headers, now: number, defaultFreshMs: number): CachePolicy {
  const cacheControl = (headers.get('Cache-Control') ?? '').toLowerCase();
  // A directive without a value stands alone between commas (`no-cache="Set-Cookie"` is not `no-cache`).
  const directives = cacheControl.split(',').map((directive) => directive.trim());
  const has = (directive: string) => directives.includes(directive);
  if (has('no-store') || has('private')) return { store: false, freshUntil: now, mayServeStale: false };
  const noCache = has('no-cache');
  const lifetime = noCache ? 0 : (statedLifetimeMs(headers, cacheControl) ?? defaultFreshMs);
  const freshUntil = now + lifetime;
  return {
    store: headers.has('ETag') || freshUntil > now,
    freshUntil,
    mayServeStale: !noCache && !has('must-revalidate'),
  };
}

/** A kept copy a 304 confirmed: its headers updated from the 304's (RFC 9111 §4.3.4), its freshness worked out again. */
export function revalidated(entry: CacheEntry, answer: Headers, now: number, defaultFreshMs: number): Fetched {
  for (const [name, value] of answer) entry.headers.set(name, value);
  const policy = cachePolicy(entry.headers, now, defaultFreshMs);
  entry.freshUntil = policy.freshUntil;
  entry.mayServeStale = policy.mayServeStale;
  return entry.fetched;
}
