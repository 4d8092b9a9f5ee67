// Where variables depend on one another: read together (GROUP_COMMIT's `auto` on DATABASE_URL, the import lease on
// its poll, ALLOWED_HOSTS with PUBLIC_URL's host), or checked against each other once each alone is good.
import type { Config, ImportWorkerConfig } from '../config.ts';
import { ConfigError, type Take } from './errors.ts';
import {
  DEFAULT_ALLOWED_HOSTS,
  type Env,
  MAX_RETENTION_HOURS,
  count,
  hosts,
  hours,
  milliseconds,
  oneOf,
} from './values.ts';

export function groupCommit(env: Env, take: Take, url: string | undefined): boolean {
  const mode = take(() => oneOf(env, 'GROUP_COMMIT', 'auto', ['auto', 'on', 'off'] as const, (s) => s.toLowerCase()));
  return mode === 'auto' ? (url ?? '').startsWith('file:') : mode === 'on';
}

export function importWorker(env: Env, take: Take): ImportWorkerConfig {
  const imports = {
    pollMs: take(() => milliseconds(env, 'IMPORT_POLL_MS', '1000')),
    leaseMs: take(() => milliseconds(env, 'IMPORT_LEASE_MS', '30000')),
    chunkRows: take(() => count(env, 'IMPORT_CHUNK_ROWS', '100', 10_000)),
    retentionMs: Math.round(take(() => hours(env, 'IMPORT_RETENTION_HOURS', '168', MAX_RETENTION_HOURS)) * 3_600_000),
  };
  // The worker renews its lease at every chunk and every poll: a lease shorter than a few polls would lapse
  // while its holder is still alive, and the job would run twice at once (fenced, but wasted).
  if (imports.leaseMs !== undefined && imports.pollMs !== undefined && imports.leaseMs < 3 * imports.pollMs) {
    take(() => {
      throw new ConfigError(
        'IMPORT_LEASE_MS',
        `must be at least three times IMPORT_POLL_MS (${imports.pollMs}), got "${imports.leaseMs}"`,
      );
    });
  }
  return imports;
}

/** ALLOWED_HOSTS, or the loopback names; PUBLIC_URL's host is always allowed (a proxy may pass it through). */
export function allowedHosts(env: Env, take: Take, publicUrl: string | undefined): string[] {
  const list = take(() => hosts(env, 'ALLOWED_HOSTS', DEFAULT_ALLOWED_HOSTS)) ?? [];
  return publicUrl === undefined || list.includes(new URL(publicUrl).hostname)
    ? list
    : [...list, new URL(publicUrl).hostname];
}

/** The rules between variables, checked once each variable alone is good (a bad one is already reported). */
export function crossChecks(config: Config): ConfigError[] {
  const errors: ConfigError[] = [];
  if (config.services !== undefined) {
    const split = !config.services.has('faqs');
    if (split && config.faqApi === undefined) {
      errors.push(
        new ConfigError(
          'FAQ_API',
          "required with SERVICES=tickets: the FAQ service's root URL, such as http://faqs.internal:3000/",
        ),
      );
    }
    if (!split && config.faqApi !== undefined) {
      errors.push(
        new ConfigError(
          'FAQ_API',
          `only the ticket service alone (SERVICES=tickets) calls an FAQ service; this process runs ${[...config.services].join(',')}`,
        ),
      );
    }
  }
  const { headersMs, requestMs } = config.connections;
  if (headersMs !== undefined && requestMs !== undefined && headersMs >= requestMs) {
    errors.push(
      new ConfigError(
        'HEADERS_TIMEOUT_MS',
        `must be below REQUEST_TIMEOUT_MS (${requestMs}): the request's time includes its headers, got "${headersMs}"`,
      ),
    );
  }
  // A body still arriving is cut by Node at the request timeout with a bare 408; the deadline's 503 (a problem
  // document with Retry-After, and the connection closed) is the answer we mean a slow request to get.
  if (config.requestDeadlineMs !== undefined && requestMs !== undefined && config.requestDeadlineMs >= requestMs) {
    errors.push(
      new ConfigError(
        'REQUEST_DEADLINE_MS',
        `must be below REQUEST_TIMEOUT_MS (${requestMs}), so that a slow request is answered 503 before it is cut, got "${config.requestDeadlineMs}"`,
      ),
    );
  }
  // The scrape secret sits in the scraper's configuration: were it the admin's, that file would grant everything.
  if (config.metricsToken !== undefined && config.metricsToken === config.adminToken) {
    errors.push(
      new ConfigError(
        'METRICS_TOKEN',
        'must differ from ADMIN_TOKEN: it is given to the scraper, which must not be an admin',
      ),
    );
  }
  if (
    config.v1Sunset !== undefined &&
    config.v1DeprecatedAt !== undefined &&
    config.v1Sunset <= config.v1DeprecatedAt
  ) {
    errors.push(
      new ConfigError('V1_SUNSET', `must come after V1_DEPRECATED_AT (${config.v1DeprecatedAt.toISOString()})`),
    );
  }
  return errors;
}
