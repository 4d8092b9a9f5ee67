// Starts the real server on an ephemeral loopback port with a fresh database of the engine under test (a SQLite
// file, or a PostgreSQL database: see ./database.ts), for one test file or test.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppDependencies } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import type { Database } from '../../src/store/schema.ts';
import { type TestDatabase, createTestDatabase, inspectDatabase } from './database.ts';

export interface TestServer {
  url: string;
  config: Config;
  /** An absolute URI on this server, as it writes every address (`/tickets{?q}` → `http://127.0.0.1:…/tickets{?q}`). */
  at(path: string): string;
  /** The bootstrap admin secret the server was started with. */
  adminToken: string;
  /**
   * fetch relative to the server, as the admin unless the request sets its own Authorization (an empty one
   * means anonymous). Redirects are not followed, so tests see 301 and 303 themselves.
   */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  /** The same, with another bearer token, or anonymous with null. */
  as: (token: string | null) => { fetch: (path: string, init?: RequestInit) => Promise<Response> };
  /** Mints a token through the API (as the admin) and returns its secret. */
  mint(role: 'admin' | 'agent' | 'requester', name?: string, email?: string): Promise<string>;
  /** Looks inside the server's database through its own short-lived connection (either engine). */
  inspect: <T>(read: (db: Kysely<Database>) => Promise<T>) => Promise<T>;
  close(): Promise<void>;
}

/**
 * Starts a server. It gets a fresh database of its own, dropped on close, unless `env` names a DATABASE_URL
 * (made with createTestDatabase, say, to share it with a CLI or a second server); that one the caller drops.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  extraRoutes?: AppDependencies['extraRoutes'],
): Promise<TestServer> {
  const database: TestDatabase | undefined = env.DATABASE_URL === undefined ? await createTestDatabase() : undefined;
  const adminToken = env.ADMIN_TOKEN ?? `test-admin-${randomBytes(24).toString('hex')}`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database?.url ?? env.DATABASE_URL!,
    // Tests check behaviour, not power-loss durability: NORMAL keeps them quick on shared disks.
    SQLITE_SYNCHRONOUS: 'NORMAL',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: adminToken,
    // Limits high enough never to trip by accident; the rate-limit tests set their own.
    RATE_LIMIT: '1000000/60',
    ANONYMOUS_RATE_LIMIT: '1000000/60',
    // Stopped at once: the tests about draining set their own delay.
    SHUTDOWN_DELAY_MS: '0',
    // The server and its client share this process. A socket idle near the keep-alive limit may be closed by the
    // server just as fetch (undici, whose idle timers tick coarsely) sends on it, and that request fails with
    // "fetch failed" (nodejs/undici#3141). A limit longer than any test keeps the race out of the suite;
    // test/server/timeouts.test.ts sets its own to test the limit itself.
    KEEP_ALIVE_TIMEOUT_MS: '120000',
    ...env,
  });
  let running: RunningServer;
  try {
    running = await startServer(config, extraRoutes);
  } catch (error) {
    await database?.drop();
    throw error;
  }
  const fetchAs =
    (token: string | null) =>
    (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('Authorization') && token !== null) headers.set('Authorization', `Bearer ${token}`);
      if (headers.get('Authorization') === '') headers.delete('Authorization');
      return fetch(new URL(path, running.url), { redirect: 'manual', ...init, headers });
    };
  const server: TestServer = {
    url: running.url,
    at: (path) => new URL(running.url).origin + path,
    config,
    adminToken,
    fetch: fetchAs(adminToken),
    as: (token) => ({ fetch: fetchAs(token) }),
    async mint(role, name = `${role}-${randomBytes(4).toString('hex')}`, email) {
      const body = {
        name,
        role,
        ...(role === 'requester' ? { email: email ?? `${name}@customers.example` } : email ? { email } : {}),
      };
      const response = await server.fetch('/tokens', json('POST', body));
      if (response.status !== 201)
        throw new Error(`minting a ${role} token failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { secret: string }).secret;
    },
    inspect: (read) => inspectDatabase(config.databaseUrl, read),
    async close() {
      await running.close();
      await database?.drop();
    },
  };
  return server;
}

/** A JSON request body with its Content-Type. */
export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
