// A small HAL client for calls to another service: GET with caching (Cache-Control max-age or a default fresh
// period, ETag revalidation, one request for concurrent reads, stale copies while the service is unavailable;
// cache.ts says what a copy may be used for), link and template following, HAL-FORMS targets, timeouts, retries
// for GET only and a circuit breaker.
// Failures come out as RemoteFailure values, which the caller maps to 502/503 in one place.
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
} from 'cockatiel';
import parseTemplate from 'uri-templates';
import { HAL_FORMS, HAL_JSON, JSON_TYPE } from '../http/media-types.ts';
import { type CacheEntry, cachePolicy, revalidated } from './cache.ts';

/** A HAL(-FORMS) document as read from another service: only what a client relies on is typed. */
export interface RemoteDocument {
  _links?: Record<string, RemoteLink | RemoteLink[]>;
  _embedded?: Record<string, RemoteDocument[]>;
  _templates?: Record<string, { method?: string; target?: string; contentType?: string }>;
  [property: string]: unknown;
}

export interface RemoteLink {
  href: string;
  templated?: boolean;
}

/** A document and the URL it was read from (relative hrefs in it resolve against that URL). */
export interface Fetched {
  url: string;
  document: RemoteDocument;
}

/**
 * Why a call to the other service failed. `unavailable`: it did not answer in time, refused the connection,
 * answered 5xx, or the circuit is open (then `callsSkipped`). `bad-answer`: it answered, but not as its contract
 * says (not HAL, a relation missing, a status that makes no sense), so retrying now would not help.
 */
export class RemoteFailure extends Error {
  constructor(
    readonly kind: 'unavailable' | 'bad-answer',
    message: string,
    /** When the caller may usefully try again (the circuit's cool-down), in seconds. */
    readonly retryAfterSeconds = 0,
  ) {
    super(message);
    this.name = 'RemoteFailure';
  }
}

export interface HypermediaClientOptions {
  /** Sent as User-Agent on every call: who we are and which contract we speak. */
  userAgent: string;
  /** A bearer token at the other service, for calls that need one. */
  token: string | undefined;
  timeoutMs: number;
  /** How long the circuit stays open before one probe call is let through. */
  cooldownMs: number;
  /** Consecutive failures that open the circuit. */
  failuresToOpen?: number;
  /** Told of every call's outcome (for metrics). */
  observe?: (method: string, outcome: 'ok' | 'unavailable' | 'bad-answer' | 'skipped') => void;
  /** Told each time a GET is answered from a stale copy because the service was unavailable (for metrics). */
  servedStale?: () => void;
}

/** How a GET may be answered from what the client keeps (as a private cache would, RFC 9111 and RFC 5861). */
export interface Reading {
  /** Send the token (the default). Only anonymous answers are the same for every caller, and worth keeping. */
  authenticated?: boolean;
  /**
   * How long a copy whose answer states no freshness of its own (no max-age, no Expires, no no-cache) is used
   * without asking. 0, the default: it is revalidated on every read.
   */
  defaultFreshMs?: number;
  /**
   * How long past its freshness a copy still answers while the service is unavailable (no answer, 5xx, the
   * circuit open), as `stale-if-error` would allow. 0, the default: never. A wrong answer is never hidden so.
   */
  staleIfErrorMs?: number;
  /** Ask the service now, even when a fresh copy is kept, and never answer from a stale one: is it there? */
  revalidate?: boolean;
}

/** GET attempts in all (one retry): a GET changes nothing, so repeating one that failed is safe. */
const GET_ATTEMPTS = 2;

/** Resolves an href (possibly a template) against a base URL, expanding the template first. */
export function resolveHref(href: string, base: string, values: Record<string, string> = {}): string {
  return new URL(parseTemplate(href).fill(values), base).href;
}

/** An href template made absolute without expanding it (so it can be handed on as a link). */
export function absoluteTemplate(href: string, base: string): string {
  const cut = href.search(/\{/);
  const fixed = cut === -1 ? href : href.slice(0, cut);
  const absolute = new URL(fixed, base).href;
  return cut === -1 ? absolute : absolute + href.slice(cut);
}

/** The single link under a relation, or undefined. */
export function linkOf(document: RemoteDocument, rel: string): RemoteLink | undefined {
  const link = document._links?.[rel];
  const first = Array.isArray(link) ? link[0] : link;
  return first && typeof first.href === 'string' ? first : undefined;
}

export class HypermediaClient {
  private readonly cache = new Map<string, CacheEntry>();
  /** GETs on their way, by cache key: concurrent reads of one URL wait for the same answer. */
  private readonly inFlight = new Map<string, Promise<Fetched>>();
  private readonly breaker;
  private readonly retryGets;
  /** When the circuit last opened, to tell callers how long it stays so. */
  private openedAt = 0;

  constructor(private readonly options: HypermediaClientOptions) {
    // Only failures that say the service is not there count against it; a 4xx or a malformed answer does not.
    const unavailable = handleWhen((error) => error instanceof RemoteFailure && error.kind === 'unavailable');
    this.breaker = circuitBreaker(unavailable, {
      halfOpenAfter: options.cooldownMs,
      breaker: new ConsecutiveBreaker(options.failuresToOpen ?? 3),
    });
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.retryGets = retry(unavailable, {
      maxAttempts: GET_ATTEMPTS - 1,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 200 }),
    });
  }

  /** The circuit as an operator reads it. */
  get circuit(): 'closed' | 'open' | 'half-open' {
    const state = this.breaker.state;
    return state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
  }

  /**
   * GET a HAL document: from the cache while its copy is fresh, else revalidated or fetched (with retries);
   * while the service is unavailable, from a copy no staler than `staleIfErrorMs` allows.
   */
  async get(url: string, reading: Reading = {}): Promise<Fetched> {
    const { authenticated = true, defaultFreshMs = 0, staleIfErrorMs = 0, revalidate = false } = reading;
    const key = `${authenticated ? 'token' : 'anonymous'} ${url}`;
    const cached = this.cache.get(key);
    if (cached && !revalidate && cached.freshUntil > Date.now()) return cached.fetched;
    try {
      return await this.refresh(key, url, authenticated, defaultFreshMs);
    } catch (error) {
      const unavailable = error instanceof RemoteFailure && error.kind === 'unavailable';
      const kept = this.cache.get(key);
      if (unavailable && !revalidate && kept?.mayServeStale && kept.freshUntil + staleIfErrorMs > Date.now()) {
        this.options.servedStale?.();
        return kept.fetched;
      }
      throw error;
    }
  }

  /** Asks the service for `url` (conditionally, when a copy is kept), once for all who ask at the same time. */
  private refresh(key: string, url: string, authenticated: boolean, defaultFreshMs: number): Promise<Fetched> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const asking = this.ask(key, url, authenticated, defaultFreshMs).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, asking);
    return asking;
  }

  private async ask(key: string, url: string, authenticated: boolean, defaultFreshMs: number): Promise<Fetched> {
    const cached = this.cache.get(key);
    const headers: Record<string, string> = {};
    if (cached?.etag) headers['If-None-Match'] = cached.etag;
    const response = await this.guard('GET', () =>
      this.retryGets.execute(() => this.breaker.execute(() => this.send('GET', url, { headers, authenticated }))),
    );
    const now = Date.now();
    if (response.status === 304 && cached) return revalidated(cached, response.headers, now, defaultFreshMs);
    if (response.status !== 200) throw this.badAnswer('GET', `GET ${url} answered ${response.status}`);
    const fetched = { url: response.url || url, document: await this.halBody('GET', response) };
    const policy = cachePolicy(response.headers, now, defaultFreshMs);
    const etag = response.headers.get('ETag') ?? undefined;
    if (policy.store)
      this.cache.set(key, {
        fetched,
        headers: new Headers(response.headers),
        etag,
        freshUntil: policy.freshUntil,
        mayServeStale: policy.mayServeStale,
      });
    else this.cache.delete(key);
    return fetched;
  }

  /**
   * Sends a write once: a write that timed out may have happened, so it is never repeated here (the caller
   * finds out by reading). Answers of any status come back; only a missing or 5xx answer is a failure.
   */
  async write(
    method: string,
    url: string,
    body: unknown,
  ): Promise<{ status: number; location: string | undefined; document: RemoteDocument | undefined }> {
    const response = await this.guard(method, () =>
      this.breaker.execute(() =>
        this.send(method, url, {
          headers: { 'Content-Type': JSON_TYPE },
          body: JSON.stringify(body),
          authenticated: true,
        }),
      ),
    );
    const location = response.headers.get('Location');
    const isJson = /json/.test(response.headers.get('Content-Type') ?? '');
    const document = isJson ? await this.halBody(method, response) : (await response.arrayBuffer(), undefined);
    return { status: response.status, location: location === null ? undefined : new URL(location, url).href, document };
  }

  /** Runs a call, turning an open circuit into an `unavailable` failure that names the wait, and counting outcomes. */
  private async guard(method: string, call: () => Promise<Response>): Promise<Response> {
    try {
      const response = await call();
      this.options.observe?.(method, 'ok');
      return response;
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.options.observe?.(method, 'skipped');
        throw new RemoteFailure(
          'unavailable',
          'the circuit to the FAQ service is open: calls are not sent until it has cooled down',
          this.retryAfter(),
        );
      }
      if (error instanceof RemoteFailure) {
        this.options.observe?.(method, error.kind);
        throw error.kind === 'unavailable' ? new RemoteFailure('unavailable', error.message, this.retryAfter()) : error;
      }
      throw error;
    }
  }

  /** While the circuit is open, the rest of its cool-down; else a whole cool-down, the breaker's own pace. */
  private retryAfter(): number {
    const wait =
      this.circuit === 'open' ? this.openedAt + this.options.cooldownMs - Date.now() : this.options.cooldownMs;
    return Math.max(1, Math.ceil(wait / 1000));
  }

  private badAnswer(method: string, message: string): RemoteFailure {
    this.options.observe?.(method, 'bad-answer');
    return new RemoteFailure('bad-answer', message);
  }

  private async send(
    method: string,
    url: string,
    init: { headers: Record<string, string>; body?: string; authenticated: boolean },
  ): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: `${HAL_FORMS}, ${HAL_JSON};q=0.9, ${JSON_TYPE};q=0.8`,
      'User-Agent': this.options.userAgent,
      ...init.headers,
    };
    if (init.authenticated && this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: init.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : 'connection failed';
      throw new RemoteFailure('unavailable', `${method} ${url}: ${reason}`);
    }
    if (response.status >= 500) {
      await response.arrayBuffer().catch(() => undefined);
      throw new RemoteFailure('unavailable', `${method} ${url} answered ${response.status}`);
    }
    return response;
  }

  private async halBody(method: string, response: Response): Promise<RemoteDocument> {
    let document: unknown;
    try {
      document = await response.json();
    } catch {
      throw this.badAnswer(method, `${response.url} did not answer with JSON`);
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document))
      throw this.badAnswer(method, `${response.url} did not answer with a HAL document`);
    return document as RemoteDocument;
  }
}
