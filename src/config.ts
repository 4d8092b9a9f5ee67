// Reads the environment once into a typed, validated configuration; a bad value stops start-up with one line.

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
  /** Requests allowed per window, per token and per address for anonymous callers. */
  rateLimit: RateLimit;
  anonymousRateLimit: RateLimit;
  /** A request still running after this many milliseconds is answered 503. */
  requestDeadlineMs: number;
  /** Origins allowed to call from a browser (CORS); none by default. */
  corsOrigins: string[];
  /** Behind a reverse proxy: take the client's address from X-Forwarded-For (for per-address limits). */
  trustProxy: boolean;
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
  /** A prefix every path is mounted under (e.g. `/kb`), or '' for the root. */
  basePath: string;
  /** Finished GET answers kept until the next committed write: at most so many, of at most so many bytes (0 entries: off). */
  answerCache: { entries: number; bytes: number };
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

export const SERVICES = ['tickets', 'faqs'] as const;
export type Service = (typeof SERVICES)[number];

export interface RateLimit {
  points: number;
  windowSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function read(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function port(env: Env): number {
  const raw = read(env, 'PORT', '3000');
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    throw new ConfigError('PORT', `expected a port number from 0 to 65535, got "${raw}"`);
  }
  return value;
}

/** The URL with any password masked, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

function isPostgresUrl(raw: string): boolean {
  if (!/^postgres(ql)?:\/\/./.test(raw)) return false;
  try {
    return new URL(raw).pathname.length > 1 || raw.includes('host=');
  } catch {
    return false;
  }
}

function databaseUrl(env: Env): string {
  const raw = read(env, 'DATABASE_URL', 'file:./data/helpdesk.db');
  const sqlite = raw.startsWith('file:') && raw.length > 'file:'.length;
  if (!sqlite && !isPostgresUrl(raw)) {
    throw new ConfigError(
      'DATABASE_URL',
      `expected file:PATH (SQLite) or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (PostgreSQL), got "${redactDatabaseUrl(raw)}"`,
    );
  }
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[], normalise = (s: string) => s): T {
  const raw = normalise(read(env, name, fallback));
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function date(env: Env, name: string, fallback: string): Date {
  const raw = read(env, name, fallback);
  const value = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(value.getTime())) {
    throw new ConfigError(name, `expected a date such as 2027-06-30 or 2027-06-30T00:00:00Z, got "${raw}"`);
  }
  return value;
}

function adminToken(env: Env): string | undefined {
  const raw = env.ADMIN_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32 || /\s/.test(raw)) {
    throw new ConfigError('ADMIN_TOKEN', 'expected at least 32 characters without spaces (e.g. from `openssl rand -base64 32`)');
  }
  return raw;
}

function rateLimit(env: Env, name: string, fallback: string): RateLimit {
  const raw = read(env, name, fallback);
  const match = /^(\d+)\/(\d+)s?$/.exec(raw);
  const points = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || points < 1 || windowSeconds < 1) {
    throw new ConfigError(name, `expected REQUESTS/SECONDS such as 600/60, got "${raw}"`);
  }
  return { points, windowSeconds };
}

function milliseconds(env: Env, name: string, fallback: string): number {
  const raw = read(env, name, fallback);
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ConfigError(name, `expected a number of milliseconds, got "${raw}"`);
  return Number(raw);
}

/** More workers than this is a typo, not a plan: each one holds its own database connections. */
export const MAX_WORKERS = 64;

function workers(env: Env): number {
  const raw = read(env, 'WORKERS', '1');
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_WORKERS) {
    throw new ConfigError('WORKERS', `expected a number of processes from 1 to ${MAX_WORKERS}, got "${raw}"`);
  }
  return value;
}

function origins(env: Env, name: string): string[] {
  const list = read(env, name, '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of list) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin) throw new ConfigError(name, `expected origins such as https://explorer.example, got "${origin}"`);
  }
  return list;
}

function count(env: Env, name: string, fallback: string, max: number): number {
  const raw = read(env, name, fallback);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new ConfigError(name, `expected a whole number from 1 to ${max}, got "${raw}"`);
  return Number(raw);
}

/** A whole number from 0 to `max`. */
function wholeNumber(env: Env, name: string, fallback: string, max: number): number {
  const raw = read(env, name, fallback);
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new ConfigError(name, `expected a whole number from 0 to ${max}, got "${raw}"`);
  return Number(raw);
}

/** Ten years: a longer retention is a typo for keeping jobs forever, which is not on offer. */
const MAX_RETENTION_HOURS = 87_600;

/** Hours, fractions allowed (0.5 is half an hour): retention is stated in hours, but tests need seconds. */
function hours(env: Env, name: string, fallback: string, max: number): number {
  const raw = read(env, name, fallback);
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value * 3_600_000 < 1 || value > max) {
    throw new ConfigError(name, `expected a number of hours above 0 and at most ${max}, such as 168 or 0.5, got "${raw}"`);
  }
  return value;
}

function importWorker(env: Env): ImportWorkerConfig {
  const imports = {
    pollMs: milliseconds(env, 'IMPORT_POLL_MS', '1000'),
    leaseMs: milliseconds(env, 'IMPORT_LEASE_MS', '30000'),
    chunkRows: count(env, 'IMPORT_CHUNK_ROWS', '100', 10_000),
    retentionMs: Math.round(hours(env, 'IMPORT_RETENTION_HOURS', '168', MAX_RETENTION_HOURS) * 3_600_000),
  };
  // The worker renews its lease at every chunk and every poll: a lease shorter than a few polls would lapse
  // while its holder is still alive, and the job would run twice at once (fenced, but wasted).
  if (imports.leaseMs < 3 * imports.pollMs) {
    throw new ConfigError('IMPORT_LEASE_MS', `must be at least three times IMPORT_POLL_MS (${imports.pollMs}), got "${imports.leaseMs}"`);
  }
  return imports;
}

function services(env: Env): ReadonlySet<Service> {
  const raw = read(env, 'SERVICES', 'tickets,faqs');
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  if (names.some((name) => !(SERVICES as readonly string[]).includes(name))) {
    throw new ConfigError('SERVICES', `expected tickets, faqs or tickets,faqs, got "${raw}"`);
  }
  return new Set(names as Service[]);
}

/** An absolute http(s) URL, with no query or fragment (a root others are resolved against). */
function rootUrl(env: Env, name: string): string | undefined {
  const raw = read(env, name, '');
  if (raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(name, `expected an absolute http(s) URL such as http://faqs.internal:3000/, got "${raw}"`);
  }
  return url.href;
}

function secret(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || /\s/.test(raw)) throw new ConfigError(name, 'expected a token secret (at least 16 characters, no spaces)');
  return raw;
}

/**
 * The mount prefix: '' or `/segment[/segment…]` without a trailing slash. Exported because the URI registry
 * reads it once at start (module load), before any template is expanded.
 */
export function basePath(env: Env): string {
  const raw = read(env, 'BASE_PATH', '');
  if (raw === '' || raw === '/') return '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(raw)) throw new ConfigError('BASE_PATH', `expected a path such as /kb (no trailing slash), got "${raw}"`);
  return raw;
}

function groupCommit(env: Env): boolean {
  const mode = oneOf(env, 'GROUP_COMMIT', 'auto', ['auto', 'on', 'off'] as const, (s) => s.toLowerCase());
  return mode === 'auto' ? databaseUrl(env).startsWith('file:') : mode === 'on';
}

export function loadConfig(env: Env = process.env): Config {
  const config = {
    port: port(env),
    host: read(env, 'HOST', '127.0.0.1'),
    databaseUrl: databaseUrl(env),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', 'FULL', ['FULL', 'NORMAL'] as const, (s) => s.toUpperCase()),
    groupCommit: groupCommit(env),
    searchBound: count(env, 'SEARCH_BOUND', '200', 10_000),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS, (s) => s.toLowerCase()),
    v1DeprecatedAt: date(env, 'V1_DEPRECATED_AT', '2026-11-22T00:00:00Z'),
    v1Sunset: date(env, 'V1_SUNSET', '2027-06-30T00:00:00Z'),
    adminToken: adminToken(env),
    rateLimit: rateLimit(env, 'RATE_LIMIT', '1200/60'),
    anonymousRateLimit: rateLimit(env, 'ANONYMOUS_RATE_LIMIT', '120/60'),
    requestDeadlineMs: milliseconds(env, 'REQUEST_DEADLINE_MS', '10000'),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    trustProxy: oneOf(env, 'TRUST_PROXY', 'false', ['true', 'false'] as const, (s) => s.toLowerCase()) === 'true',
    workers: workers(env),
    imports: importWorker(env),
    services: services(env),
    faqApi: rootUrl(env, 'FAQ_API'),
    faqApiToken: secret(env, 'FAQ_API_TOKEN'),
    faqApiTimeoutMs: milliseconds(env, 'FAQ_API_TIMEOUT_MS', '3000'),
    faqApiCooldownMs: milliseconds(env, 'FAQ_API_COOLDOWN_MS', '10000'),
    publicUrl: rootUrl(env, 'PUBLIC_URL'),
    basePath: basePath(env),
    answerCache: { entries: wholeNumber(env, 'ANSWER_CACHE_ENTRIES', '1000', 1_000_000), bytes: count(env, 'ANSWER_CACHE_BYTES', String(16 * 2 ** 20), 2 ** 32) },
  };
  const split = !config.services.has('faqs');
  if (split && config.faqApi === undefined) {
    throw new ConfigError('FAQ_API', 'required with SERVICES=tickets: the FAQ service\'s root URL, such as http://faqs.internal:3000/');
  }
  if (!split && config.faqApi !== undefined) {
    throw new ConfigError('FAQ_API', `only the ticket service alone (SERVICES=tickets) calls an FAQ service; this process runs ${[...config.services].join(',')}`);
  }
  if (config.v1Sunset <= config.v1DeprecatedAt) {
    throw new ConfigError('V1_SUNSET', `must come after V1_DEPRECATED_AT (${config.v1DeprecatedAt.toISOString()})`);
  }
  return config;
}
