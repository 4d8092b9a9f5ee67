// Reads the environment once into a typed, validated configuration. Every variable is read even after a bad
// one, so that start-up reports all of them at once (one line each), not one per attempt. Each kind of value is
// read in src/config/values.ts, the variables that depend on one another in src/config/rules.ts.
import { ConfigError, ConfigErrors, collector } from './config/errors.ts';
import { allowedHosts, crossChecks, groupCommit, importWorker } from './config/rules.ts';
import {
  type Env,
  LOG_LEVELS,
  MAX_SHUTDOWN_DELAY_MS,
  type Service,
  basePath,
  count,
  databaseUrl,
  date,
  milliseconds,
  oneOf,
  origins,
  port,
  proxyHops,
  rateLimit,
  read,
  rootUrl,
  secret,
  services,
  strongSecret,
  wholeNumber,
  workers,
} from './config/values.ts';

export { ConfigError, ConfigErrors } from './config/errors.ts';
export { redactDatabaseUrl } from './config/values.ts';

export type Synchronous = 'FULL' | 'NORMAL';

export interface Config {
  port: number;
  host: string;
  /** Where the data lives: `file:/abs/or/relative.db` (SQLite) or `postgres://user@host:port/db` (PostgreSQL). */
  databaseUrl: string;
  /**
   * SQLite `synchronous`: FULL survives power loss, NORMAL only a crash of the process. (PostgreSQL always
   * commits with synchronous_commit=on.)
   */
  sqliteSynchronous: Synchronous;
  /**
   * Group commit: concurrent writes share one durable commit (one fsync), each acknowledged once that commit is
   * done. Off, every write commits on its own. `auto` (the default) is on for SQLite, whose one connection
   * would otherwise fsync per write, and off for PostgreSQL, which already shares WAL flushes between the
   * commits of its many connections, and where grouping measured slower (docs/performance.md).
   */
  groupCommit: boolean;
  /**
   * A search whose words match at most this many tickets is ranked by relevance and counted exactly; beyond it,
   * results come newest first and the count stops here, flagged as a lower bound. Bounds every search's cost.
   */
  searchBound: number;
  logLevel: string;
  /** When FAQ contract v1 was deprecated, and when it goes away (RFC 9745 / RFC 8594 headers). */
  v1DeprecatedAt: Date;
  v1Sunset: Date;
  /** A bootstrap admin secret from the environment, or undefined (then only minted tokens exist). */
  adminToken: string | undefined;
  /**
   * A secret for Prometheus to scrape /metrics with, and nothing else: the admin token need not sit in the
   * scraper's configuration. Undefined: only admins read the metrics.
   */
  metricsToken: string | undefined;
  /** Requests allowed per window, per token and per address for anonymous callers. */
  rateLimit: RateLimit;
  anonymousRateLimit: RateLimit;
  /** A request still running after this many milliseconds is answered 503. */
  requestDeadlineMs: number;
  /** How long the server waits for what a connection owes it (Node's own timers; see src/server.ts). */
  connections: ConnectionTimeouts;
  /**
   * On SIGTERM, how long the server keeps listening (answering /ready 503 and every answer with Connection:
   * close) before it stops accepting: a load balancer polling /ready sees "not ready" and unroutes it, rather
   * than meeting refused connections. Then requests in flight finish within the rest of the grace period.
   */
  shutdownDelayMs: number;
  /** Origins allowed to call from a browser (CORS); none by default. */
  corsOrigins: string[];
  /**
   * How many reverse proxies stand in front (0: none). The caller's address is the X-Forwarded-For entry that
   * many hops from the right, the one our own nearest proxy was given; what a client wrote to its left is ignored.
   */
  trustProxy: number;
  /** How many server processes share the port (node:cluster); 1 runs the server in this process alone. */
  workers: number;
  /** How the import worker inside each instance runs bulk imports. */
  imports: ImportWorkerConfig;
  /** Which services this process runs: both (the single server), or one of them (see docs/services.md). */
  services: ReadonlySet<Service>;
  /** The FAQ service's root URL, when this process runs the ticket service alone; undefined otherwise. */
  faqApi: string | undefined;
  /** The ticket service's bearer token at the FAQ service (an agent token minted there), if it needs one. */
  faqApiToken: string | undefined;
  /** How long one call to the FAQ service may take, and how long its circuit stays open before a probe. */
  faqApiTimeoutMs: number;
  faqApiCooldownMs: number;
  /** This service's own public root (absolute links to it), or undefined to take it from each request. */
  publicUrl: string | undefined;
  /**
   * The host names requests may name (Host, or X-Forwarded-Host from a trusted proxy); any other is refused
   * before anything is built from it (src/http/origin.ts).
   */
  allowedHosts: string[];
  /** A prefix every path is mounted under (e.g. `/kb`), or '' for the root. */
  basePath: string;
  /** Finished GET answers kept until the next committed write: at most so many, of at most so many bytes (0 entries: off). */
  answerCache: { entries: number; bytes: number };
  /** Time named parts of answering, for `npm run bench` only (BENCH_SPANS=1; src/http/spans.ts). */
  benchSpans: boolean;
}

export interface ImportWorkerConfig {
  /** How often an idle worker looks for a queued job (also the Retry-After a polling client is given). */
  pollMs: number;
  /** How long a claimed job stays its worker's without a heartbeat; past it, any instance may take it over. */
  leaseMs: number;
  /** Rows per chunk: each chunk is one transaction that also saves the progress and renews the lease. */
  chunkRows: number;
  /**
   * How long a finished (done or failed) job is kept after it ends: then its payload and refused rows are
   * removed and its address answers 410 Gone. The tickets it created stay.
   */
  retentionMs: number;
}

export interface ConnectionTimeouts {
  /** From a connection's first byte (or its previous answer) until the request's headers are in: else 408, closed. */
  headersMs: number;
  /** From the first byte until the whole request, body included, is in: else 408, closed. */
  requestMs: number;
  /** How long a connection may idle between requests (advertised in `Keep-Alive: timeout=`). */
  keepAliveMs: number;
}

export interface RateLimit {
  points: number;
  windowSeconds: number;
}

/**
 * The whole configuration, or a ConfigErrors naming every bad variable. To add a variable: one field here (its
 * reader in src/config/values.ts, any rule it shares with another in src/config/rules.ts), one in Config, one row in
 * the README's table.
 */
export function loadConfig(env: Env = process.env): Config {
  const errors: ConfigError[] = [];
  const take = collector(errors);
  const url = take(() => databaseUrl(env));
  const config: Config = {
    port: take(() => port(env)),
    host: read(env, 'HOST', '127.0.0.1'),
    databaseUrl: url,
    sqliteSynchronous: take(() =>
      oneOf(env, 'SQLITE_SYNCHRONOUS', 'FULL', ['FULL', 'NORMAL'] as const, (s) => s.toUpperCase()),
    ),
    groupCommit: groupCommit(env, take, url),
    searchBound: take(() => count(env, 'SEARCH_BOUND', '200', 10_000)),
    logLevel: take(() => oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS, (s) => s.toLowerCase())),
    v1DeprecatedAt: take(() => date(env, 'V1_DEPRECATED_AT', '2026-11-22T00:00:00Z')),
    v1Sunset: take(() => date(env, 'V1_SUNSET', '2027-06-30T00:00:00Z')),
    adminToken: take(() => strongSecret(env, 'ADMIN_TOKEN')),
    metricsToken: take(() => strongSecret(env, 'METRICS_TOKEN')),
    rateLimit: take(() => rateLimit(env, 'RATE_LIMIT', '1200/60')),
    anonymousRateLimit: take(() => rateLimit(env, 'ANONYMOUS_RATE_LIMIT', '120/60')),
    requestDeadlineMs: take(() => milliseconds(env, 'REQUEST_DEADLINE_MS', '10000')),
    connections: {
      headersMs: take(() => milliseconds(env, 'HEADERS_TIMEOUT_MS', '10000')),
      requestMs: take(() => milliseconds(env, 'REQUEST_TIMEOUT_MS', '30000')),
      keepAliveMs: take(() => milliseconds(env, 'KEEP_ALIVE_TIMEOUT_MS', '5000')),
    },
    shutdownDelayMs: take(() => wholeNumber(env, 'SHUTDOWN_DELAY_MS', '2000', MAX_SHUTDOWN_DELAY_MS)),
    corsOrigins: take(() => origins(env, 'CORS_ORIGINS')),
    trustProxy: take(() => proxyHops(env)),
    workers: take(() => workers(env)),
    imports: importWorker(env, take),
    services: take(() => services(env)),
    faqApi: take(() => rootUrl(env, 'FAQ_API')),
    faqApiToken: take(() => secret(env, 'FAQ_API_TOKEN')),
    faqApiTimeoutMs: take(() => milliseconds(env, 'FAQ_API_TIMEOUT_MS', '3000')),
    faqApiCooldownMs: take(() => milliseconds(env, 'FAQ_API_COOLDOWN_MS', '10000')),
    publicUrl: take(() => rootUrl(env, 'PUBLIC_URL')),
    basePath: take(() => basePath(env)),
    allowedHosts: [], // below, once PUBLIC_URL is read: its host is allowed too
    answerCache: {
      entries: take(() => wholeNumber(env, 'ANSWER_CACHE_ENTRIES', '1000', 1_000_000)),
      bytes: take(() => count(env, 'ANSWER_CACHE_BYTES', String(16 * 2 ** 20), 2 ** 32)),
    },
    benchSpans: env.BENCH_SPANS === '1',
  };
  config.allowedHosts = allowedHosts(env, take, config.publicUrl);
  // A FAQ_API that is set but bad is already reported; "required" would only repeat it.
  const faqApiBad = errors.some((error) => error.variable === 'FAQ_API');
  errors.push(...crossChecks(config).filter((error) => !(faqApiBad && error.variable === 'FAQ_API')));
  const [first, ...more] = errors;
  if (first !== undefined) throw more.length === 0 ? first : new ConfigErrors(errors);
  return config;
}
