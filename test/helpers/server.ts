// Starts the real server on an ephemeral loopback port with a fresh SQLite file, for one test file or test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';

export interface TestServer {
  url: string;
  config: Config;
  /** fetch relative to the server; redirects are not followed, so tests see 301 and 303 themselves. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${join(dir, 'helpdesk.db')}`,
    // Tests check behaviour, not power-loss durability: NORMAL keeps them quick on shared disks.
    SQLITE_SYNCHRONOUS: 'NORMAL',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const running: RunningServer = await startServer(config);
  return {
    url: running.url,
    config,
    fetch: (path, init = {}) => fetch(new URL(path, running.url), { redirect: 'manual', ...init }),
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON request body with its Content-Type. */
export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
