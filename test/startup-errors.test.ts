// Start-up errors as an operator meets them, from the real process: every bad variable reported at once, one
// line each (its name, what it got, what it takes), exit 2 and no stack trace; a port in use blamed on PORT/HOST.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const SERVER = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// The loader by its path: the process runs in an empty temp dir, where a bare `tsx` resolves to nothing.
const TSX = import.meta.resolve('tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the server entry with `env` added until it exits (each case here must exit on its own). */
async function run(env: Record<string, string>, cwd: string): Promise<Run> {
  const child = spawn(process.execPath, ['--import', TSX, SERVER], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function temporaryDirectory(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-startup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const BAD = {
  PORT: 'eighty',
  BASE_PATH: 'kb',
  LOG_LEVEL: 'loud',
  WORKERS: '0',
  RATE_LIMIT: 'lots',
  CORS_ORIGINS: 'explorer.example',
  IMPORT_RETENTION_HOURS: 'week',
  TRUST_PROXY: 'yes',
  HEADERS_TIMEOUT_MS: '10s',
};

test('every bad variable is reported at once, one line each naming it, what it got and what it takes; exit 2, no stack', async (t) => {
  const cwd = temporaryDirectory(t);
  const result = await run({ ...BAD, DATABASE_URL: 'file:./helpdesk.db' }, cwd);
  t.is(result.code, 2, result.stderr);
  t.is(result.stdout, '');
  const lines = result.stderr.trim().split('\n');
  t.is(lines.length, Object.keys(BAD).length, result.stderr);
  for (const [variable, value] of Object.entries(BAD)) {
    const line = lines.find((each) => each.startsWith(`helpdesk: bad configuration: ${variable}: `));
    t.truthy(line, `no line for ${variable} in:\n${result.stderr}`);
    t.true(line!.includes(`"${value}"`), line);
    t.regex(line!, /expected /, line);
  }
  t.notRegex(result.stderr, /^\s+at /m);
  // Nothing was started on the way: no database was created.
  t.deepEqual(readdirSync(cwd), []);
});

test('a bad BASE_PATH alone (kb, /kb/) is one line naming BASE_PATH, not a crash', async (t) => {
  for (const value of ['kb', '/kb/']) {
    const cwd = temporaryDirectory(t);
    const result = await run({ PORT: '0', BASE_PATH: value, DATABASE_URL: 'file:./helpdesk.db' }, cwd);
    t.is(result.code, 2, result.stderr);
    t.is(
      result.stderr,
      `helpdesk: bad configuration: BASE_PATH: expected a path such as /kb (no trailing slash), got "${value}"\n`,
    );
    t.deepEqual(readdirSync(cwd), []);
  }
});

test('a port in use stops start-up with one line naming HOST and PORT, not DATABASE_URL', async (t) => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => busy.close());
  const port = (busy.address() as { port: number }).port;
  const cwd = temporaryDirectory(t);
  const result = await run(
    { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'file:./helpdesk.db', SQLITE_SYNCHRONOUS: 'NORMAL' },
    cwd,
  );
  t.is(result.code, 1, result.stderr);
  const lines = result.stderr.trim().split('\n');
  t.is(lines.length, 1, result.stderr);
  t.is(
    lines[0],
    `helpdesk: cannot listen on HOST=127.0.0.1 PORT=${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
  );
  t.notRegex(result.stderr, /DATABASE_URL/);
});
