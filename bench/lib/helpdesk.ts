// The helpdesk as the benches run it: the real server, compiled as `npm start` runs it (dist/server.js, which
// `npm run bench` builds first), in a child process on a database of the bench's own, with rate limits out of the
// way (a load generator is one very busy client) and everything else as configured.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleServer } from '../../scripts/bundle-server.ts';
import { PROJECT_ROOT } from '../../src/project.ts';
import { type ChildServer, startChild } from './child.ts';

const SERVER = join(PROJECT_ROOT, 'dist', 'server.js');

export const ADMIN_TOKEN = `bench-admin-${randomBytes(24).toString('hex')}`;
export const AS_ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}` };

/** A temp folder for SQLite files, removed by `remove`. */
export function scratchFolder(): { path: (name: string) => string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'));
  return { path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The helpdesk as `npm start` runs it, on `databaseUrl`. */
export function startHelpdesk(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  return startServerChild(SERVER, databaseUrl, env);
}

const FLOOR_SOURCE = join(PROJECT_ROOT, 'bench', 'lib', 'floor-server.ts');
// Beside dist/server.js: a bundle must lie one folder below the root (src/project.ts).
const FLOOR_BUNDLE = join(PROJECT_ROOT, 'dist', 'bench-floor-server.js');

let floorBundled: Promise<void> | undefined;

/** The helpdesk with every middleware and one more route, /floor, answering `document` as bare Koa does. */
export async function startFloor(databaseUrl: string, document: { body: string; type: string }): Promise<ChildServer> {
  await (floorBundled ??= bundleServer(FLOOR_BUNDLE, FLOOR_SOURCE)); // once per bench run, however many floors

  return startServerChild(FLOOR_BUNDLE, databaseUrl, { BARE_BODY: document.body, BARE_TYPE: document.type });
}

function startServerChild(script: string, databaseUrl: string, env: Record<string, string>): Promise<ChildServer> {
  return startChild(script, {
    execArgv: ['--enable-source-maps'],
    ready: '/ready',
    env: {
      DATABASE_URL: databaseUrl,
      ADMIN_TOKEN,
      RATE_LIMIT: '1000000000/60',
      ANONYMOUS_RATE_LIMIT: '1000000000/60',
      ...env,
    },
  });
}

export async function post(url: string, path: string, body: unknown): Promise<Response> {
  const response = await fetch(new URL(path, url), {
    method: 'POST',
    headers: { ...AS_ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** As much of a HAL document as the benches read: its links. */
interface HalJson {
  _links: Partial<Record<string, { href: string }>>;
}

export async function get(
  url: string,
  path: string,
): Promise<{ body: string; type: string; json: HalJson; headers: Headers }> {
  const response = await fetch(new URL(path, url), { headers: AS_ADMIN });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  const body = await response.text();
  return {
    body,
    type: response.headers.get('content-type') ?? '',
    json: JSON.parse(body) as HalJson,
    headers: response.headers,
  };
}
