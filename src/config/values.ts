// The kinds of value the environment holds, each read and checked in one function: a bad value throws a
// ConfigError whose line names the variable, what it got and what it takes (src/config.ts collects them all).
import type { RateLimit } from '../config.ts';
import { ConfigError } from './errors.ts';

const SERVICES = ['tickets', 'faqs'] as const;
export type Service = (typeof SERVICES)[number];

export type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function read(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function port(env: Env): number {
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

export function databaseUrl(env: Env): string {
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

export function oneOf<T extends string>(
  env: Env,
  name: string,
  fallback: T,
  allowed: readonly T[],
  normalise = (s: string) => s,
): T {
  const raw = normalise(read(env, name, fallback));
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

export function date(env: Env, name: string, fallback: string): Date {
  const raw = read(env, name, fallback);
  const value = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(value.getTime())) {
    throw new ConfigError(name, `expected a date such as 2027-06-30 or 2027-06-30T00:00:00Z, got "${raw}"`);
  }
  return value;
}

/** A secret the server itself accepts as a bearer token (ADMIN_TOKEN, METRICS_TOKEN): long enough not to be guessed. */
export function strongSecret(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32 || /\s/.test(raw)) {
    throw new ConfigError(name, 'expected at least 32 characters without spaces (e.g. from `openssl rand -base64 32`)');
  }
  return raw;
}

export function rateLimit(env: Env, name: string, fallback: string): RateLimit {
  const raw = read(env, name, fallback);
  const match = /^(\d+)\/(\d+)s?$/.exec(raw);
  const points = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || points < 1 || windowSeconds < 1) {
    throw new ConfigError(name, `expected REQUESTS/SECONDS such as 600/60, got "${raw}"`);
  }
  return { points, windowSeconds };
}

export function milliseconds(env: Env, name: string, fallback: string): number {
  const raw = read(env, name, fallback);
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new ConfigError(name, `expected a number of milliseconds, got "${raw}"`);
  return Number(raw);
}

/** More proxies than this in front of one server is a typo, not a topology. */
const MAX_PROXY_HOPS = 16;

/**
 * How many reverse proxies stand in front of the server, each appending the address it got the request from to
 * X-Forwarded-For: `false` (none, the default), `true` (one), or their number.
 */
export function proxyHops(env: Env): number {
  const raw = read(env, 'TRUST_PROXY', 'false');
  if (raw.toLowerCase() === 'false') return 0;
  if (raw.toLowerCase() === 'true') return 1;
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_PROXY_HOPS) {
    throw new ConfigError(
      'TRUST_PROXY',
      `expected false, true or the number of proxies in front of the server (0 to ${MAX_PROXY_HOPS}), got "${raw}"`,
    );
  }
  return Number(raw);
}

/** More workers than this is a typo, not a plan: each one holds its own database connections. */
const MAX_WORKERS = 64;

export function workers(env: Env): number {
  const raw = read(env, 'WORKERS', '1');
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_WORKERS) {
    throw new ConfigError('WORKERS', `expected a number of processes from 1 to ${MAX_WORKERS}, got "${raw}"`);
  }
  return value;
}

export function origins(env: Env, name: string): string[] {
  const list = read(env, name, '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of list) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin)
      throw new ConfigError(name, `expected origins such as https://explorer.example, got "${origin}"`);
  }
  return list;
}

export function count(env: Env, name: string, fallback: string, max: number): number {
  const raw = read(env, name, fallback);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new ConfigError(name, `expected a whole number from 1 to ${max}, got "${raw}"`);
  return Number(raw);
}

/** A whole number from 0 to `max`. */
export function wholeNumber(env: Env, name: string, fallback: string, max: number): number {
  const raw = read(env, name, fallback);
  if (!/^\d+$/.test(raw) || Number(raw) > max)
    throw new ConfigError(name, `expected a whole number from 0 to ${max}, got "${raw}"`);
  return Number(raw);
}

/**
 * The longest wait before the listener closes on SIGTERM: the process is gone 10 s after the signal whatever
 * happens, and requests in flight need the rest of that to finish.
 */
export const MAX_SHUTDOWN_DELAY_MS = 5_000;

/** Ten years: a longer retention is a typo for keeping jobs forever, which is not on offer. */
export const MAX_RETENTION_HOURS = 87_600;

/** Hours, fractions allowed (0.5 is half an hour): retention is stated in hours, but tests need seconds. */
export function hours(env: Env, name: string, fallback: string, max: number): number {
  const raw = read(env, name, fallback);
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value * 3_600_000 < 1 || value > max) {
    throw new ConfigError(
      name,
      `expected a number of hours above 0 and at most ${max}, such as 168 or 0.5, got "${raw}"`,
    );
  }
  return value;
}

export function services(env: Env): ReadonlySet<Service> {
  const raw = read(env, 'SERVICES', 'tickets,faqs');
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  if (names.some((name) => !(SERVICES as readonly string[]).includes(name))) {
    throw new ConfigError('SERVICES', `expected tickets, faqs or tickets,faqs, got "${raw}"`);
  }
  return new Set(names as Service[]);
}

/** An absolute http(s) URL, with no query or fragment (a root others are resolved against). */
export function rootUrl(env: Env, name: string): string | undefined {
  const raw = read(env, name, '');
  if (raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    !/^https?:$/.test(url.protocol) ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new ConfigError(name, `expected an absolute http(s) URL such as http://faqs.internal:3000/, got "${raw}"`);
  }
  return url.href;
}

export function secret(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || /\s/.test(raw))
    throw new ConfigError(name, 'expected a token secret (at least 16 characters, no spaces)');
  return raw;
}

/** The mount prefix: '' or `/segment[/segment…]` without a trailing slash. */
export function basePath(env: Env): string {
  const raw = read(env, 'BASE_PATH', '');
  if (raw === '' || raw === '/') return '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(raw))
    throw new ConfigError('BASE_PATH', `expected a path such as /kb (no trailing slash), got "${raw}"`);
  return raw;
}

/** The host names a request may name when PUBLIC_URL does not say where the server is (`Host`, forwarded host). */
export const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Host names, each optionally with a port (`desk.example`, `desk.example:8443`, `[::1]`), lower-cased. A name
 * without a port matches any port: the one the server listens on, or the one a port mapping shows clients.
 */
export function hosts(env: Env, name: string, fallback: readonly string[]): string[] {
  const raw = read(env, name, '');
  const list =
    raw === ''
      ? [...fallback]
      : raw
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean);
  for (const host of list) {
    let url: URL | undefined;
    try {
      url = new URL(`http://${host}`);
    } catch {
      url = undefined;
    }
    // The parser normalises what it is given: a host it would change (a path, user info, a default port) is no host.
    if (!url || url.host !== host || url.pathname !== '/')
      throw new ConfigError(name, `expected host names such as desk.example or desk.example:8443, got "${host}"`);
  }
  return list;
}
