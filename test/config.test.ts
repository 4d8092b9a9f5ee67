// Configuration: read once from the environment, defaults for what is unset, and a bad value stops start-up
// with one line naming the variable.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { ConfigErrors, loadConfig } from '../src/config.ts';
import { configErrorOf } from './helpers/config.ts';

const SERVER = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

test('unset and empty variables take their defaults', (t) => {
  const expected = {
    port: 3000,
    host: '127.0.0.1',
    databaseUrl: 'file:./data/helpdesk.db',
    sqliteSynchronous: 'FULL',
    logLevel: 'info',
    workers: 1,
  };
  t.like(loadConfig({}), expected);
  t.like(
    loadConfig({ PORT: '', HOST: '', DATABASE_URL: '', SQLITE_SYNCHRONOUS: '', LOG_LEVEL: '', WORKERS: '' }),
    expected,
  );
});

test('set variables are read and typed', (t) => {
  t.like(
    loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'file:/tmp/x.db',
      SQLITE_SYNCHRONOUS: 'normal',
      LOG_LEVEL: 'DEBUG',
    }),
    { port: 8080, host: '0.0.0.0', databaseUrl: 'file:/tmp/x.db', sqliteSynchronous: 'NORMAL', logLevel: 'debug' },
  );
  t.is(loadConfig({ PORT: '0' }).port, 0);
  t.is(loadConfig({ PORT: '65535' }).port, 65535);
  t.is(loadConfig({ WORKERS: '4' }).workers, 4);
  t.is(loadConfig({ WORKERS: '64' }).workers, 64);
});

test('group commit is on for SQLite and off for PostgreSQL unless GROUP_COMMIT says otherwise', (t) => {
  t.true(loadConfig({}).groupCommit);
  t.true(loadConfig({ GROUP_COMMIT: 'auto', DATABASE_URL: 'file:/tmp/x.db' }).groupCommit);
  t.false(loadConfig({ DATABASE_URL: 'postgres://db.internal/helpdesk' }).groupCommit);
  t.true(loadConfig({ GROUP_COMMIT: 'on', DATABASE_URL: 'postgres://db.internal/helpdesk' }).groupCommit);
  t.false(loadConfig({ GROUP_COMMIT: 'off', DATABASE_URL: 'file:/tmp/x.db' }).groupCommit);
  t.true(loadConfig({ GROUP_COMMIT: 'on' }).groupCommit);
  t.false(loadConfig({ GROUP_COMMIT: 'off' }).groupCommit);
  t.false(loadConfig({ GROUP_COMMIT: 'OFF' }).groupCommit);
});

test('a bad value of any variable is a ConfigError naming it and the value', (t) => {
  const bad: [string, string][] = [
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['PORT', ' 80'],
    ['PORT', '0x50'],
    ['DATABASE_URL', 'mysql://db/helpdesk'],
    ['DATABASE_URL', 'file:'],
    ['DATABASE_URL', './helpdesk.db'],
    ['SQLITE_SYNCHRONOUS', 'OFF'],
    ['GROUP_COMMIT', 'maybe'],
    ['GROUP_COMMIT', 'true'],
    ['LOG_LEVEL', 'loud'],
    ['WORKERS', '0'],
    ['WORKERS', '65'],
    ['WORKERS', 'two'],
    ['WORKERS', '1.5'],
    ['WORKERS', '-2'],
    ['IMPORT_POLL_MS', '0'],
    ['IMPORT_POLL_MS', 'soon'],
    ['IMPORT_LEASE_MS', '1.5'],
    ['IMPORT_LEASE_MS', '2000'],
    ['IMPORT_CHUNK_ROWS', '0'],
    ['IMPORT_CHUNK_ROWS', '10001'],
    ['IMPORT_CHUNK_ROWS', 'many'],
    ['IMPORT_RETENTION_HOURS', '0'],
    ['IMPORT_RETENTION_HOURS', '-1'],
    ['IMPORT_RETENTION_HOURS', 'week'],
    ['IMPORT_RETENTION_HOURS', '1e3'],
    ['IMPORT_RETENTION_HOURS', '.5'],
    ['IMPORT_RETENTION_HOURS', '87601'],
    ['IMPORT_RETENTION_HOURS', '0.0000001'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '17'],
    ['TRUST_PROXY', '-1'],
    ['TRUST_PROXY', '1.5'],
    ['HEADERS_TIMEOUT_MS', '0'],
    ['HEADERS_TIMEOUT_MS', '10s'],
    ['REQUEST_TIMEOUT_MS', '-1'],
    ['KEEP_ALIVE_TIMEOUT_MS', '5.5'],
    ['KEEP_ALIVE_TIMEOUT_MS', 'never'],
  ];
  for (const [variable, value] of bad) {
    const error = configErrorOf({ [variable]: value });
    t.is(error.variable, variable, `${variable}=${value}`);
    t.true(error.message.startsWith(`${variable}:`), error.message);
    t.true(error.message.includes(value), error.message);
    t.false(error.message.includes('\n'));
  }
});

test('TRUST_PROXY is the number of proxies in front: false (the default) none, true one', (t) => {
  t.is(loadConfig({}).trustProxy, 0);
  t.is(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, 0);
  t.is(loadConfig({ TRUST_PROXY: 'FALSE' }).trustProxy, 0);
  t.is(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, 1);
  t.is(loadConfig({ TRUST_PROXY: 'True' }).trustProxy, 1);
  t.is(loadConfig({ TRUST_PROXY: '0' }).trustProxy, 0);
  t.is(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  t.is(loadConfig({ TRUST_PROXY: '16' }).trustProxy, 16);
});

test('the import worker runs every second on a 30 s lease, 100 rows a chunk, keeping finished jobs a week, unless told otherwise', (t) => {
  t.deepEqual(loadConfig({}).imports, { pollMs: 1000, leaseMs: 30_000, chunkRows: 100, retentionMs: 168 * 3_600_000 });
  t.deepEqual(
    loadConfig({ IMPORT_POLL_MS: '50', IMPORT_LEASE_MS: '150', IMPORT_CHUNK_ROWS: '7', IMPORT_RETENTION_HOURS: '36' })
      .imports,
    {
      pollMs: 50,
      leaseMs: 150,
      chunkRows: 7,
      retentionMs: 36 * 3_600_000,
    },
  );
  // Fractions of an hour, down to the millisecond: tests keep jobs for seconds.
  t.is(loadConfig({ IMPORT_RETENTION_HOURS: '0.5' }).imports.retentionMs, 1_800_000);
  t.is(loadConfig({ IMPORT_RETENTION_HOURS: '0.0005' }).imports.retentionMs, 1_800);
});

test('connections have 10 s for headers, 30 s for the request, 5 s idle between requests, unless told otherwise', (t) => {
  t.deepEqual(loadConfig({}).connections, { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 });
  t.is(loadConfig({}).requestDeadlineMs, 10_000);
  t.deepEqual(
    loadConfig({
      HEADERS_TIMEOUT_MS: '1500',
      REQUEST_TIMEOUT_MS: '4000',
      KEEP_ALIVE_TIMEOUT_MS: '2000',
      REQUEST_DEADLINE_MS: '3000',
    }).connections,
    {
      headersMs: 1500,
      requestMs: 4000,
      keepAliveMs: 2000,
    },
  );
});

test('a headers timeout or a deadline not below the request timeout is refused, naming both', (t) => {
  for (const headers of ['30000', '30001']) {
    const error = configErrorOf({ HEADERS_TIMEOUT_MS: headers });
    t.is(error.variable, 'HEADERS_TIMEOUT_MS');
    t.regex(error.message, /must be below REQUEST_TIMEOUT_MS \(30000\).*"3000[01]"/);
  }
  const deadline = configErrorOf({
    HEADERS_TIMEOUT_MS: '2000',
    REQUEST_TIMEOUT_MS: '8000',
    REQUEST_DEADLINE_MS: '8000',
  });
  t.is(deadline.variable, 'REQUEST_DEADLINE_MS');
  t.regex(deadline.message, /must be below REQUEST_TIMEOUT_MS \(8000\)/);
  // Both at once, each its own line.
  const both = configErrorOf({ REQUEST_TIMEOUT_MS: '5000' });
  t.true(both instanceof ConfigErrors);
  t.deepEqual(
    (both as ConfigErrors).errors.map((each) => each.variable),
    ['HEADERS_TIMEOUT_MS', 'REQUEST_DEADLINE_MS'],
  );
});

test('a lease shorter than three polls is refused: it would lapse while its worker is alive', (t) => {
  const error = configErrorOf({ IMPORT_POLL_MS: '1000', IMPORT_LEASE_MS: '2999' });
  t.is(error.variable, 'IMPORT_LEASE_MS');
  t.regex(error.message, /three times IMPORT_POLL_MS/);
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the server entry as `npm start` would, in `cwd` with `env` added, until it exits or `until(stdout)`. */
function runServer(
  env: Record<string, string>,
  cwd: string,
  until?: (stdout: string) => boolean,
): Promise<Run & { stop(): Promise<Run> }> {
  const child = spawn(process.execPath, ['--import', TSX, SERVER], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  const stop = async () => {
    child.kill('SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not exit or start in time: ${stdout} ${stderr}`));
    }, 30_000);
    void exited.then((run) => {
      clearTimeout(timer);
      resolve({ ...run, stop });
    });
    if (until) {
      child.stdout.on('data', () => {
        if (until(stdout)) {
          clearTimeout(timer);
          resolve({ code: null, stdout, stderr, stop });
        }
      });
    }
  });
}

test('a bad PORT stops start-up with one line on stderr naming PORT', async (t) => {
  const run = await runServer({ PORT: 'eighty' }, tmpdir());
  t.not(run.code, 0);
  t.is(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /PORT/);
  t.regex(lines[0]!, /eighty/);
});

test('a bad DATABASE_URL stops start-up with one line on stderr naming DATABASE_URL', async (t) => {
  const run = await runServer({ PORT: '0', DATABASE_URL: 'mysql://db/helpdesk' }, tmpdir());
  t.not(run.code, 0);
  const lines = run.stderr.trim().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /DATABASE_URL/);
});

test('a database that does not answer stops start-up with one line naming DATABASE_URL, without its password', async (t) => {
  // Port 1 on loopback refuses at once: a PostgreSQL URL that is well formed but leads nowhere.
  const run = await runServer({ PORT: '0', DATABASE_URL: 'postgres://helpdesk:s3cret@127.0.0.1:1/helpdesk' }, tmpdir());
  t.not(run.code, 0);
  t.is(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /DATABASE_URL/);
  t.regex(lines[0]!, /127\.0\.0\.1:1/);
  t.notRegex(lines[0]!, /s3cret/);
});

test('by default the database goes in ./data, which is created, and the server answers and stops on SIGTERM', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'helpdesk-config-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  const env = { PORT: '0', HOST: '', DATABASE_URL: '', SQLITE_SYNCHRONOUS: 'NORMAL' };
  const run = await runServer(env, cwd, (stdout) => stdout.includes('"listening"'));
  t.is(run.code, null, `the server exited: ${run.stderr}`);
  t.true(existsSync(join(cwd, 'data', 'helpdesk.db')));
  const { url } = JSON.parse(run.stdout.split('\n').find((line) => line.includes('"listening"'))!) as { url: string };
  const home = await fetch(url);
  t.is(home.status, 200);
  await home.arrayBuffer();
  const stopped = await run.stop();
  t.is(stopped.code, 0, stopped.stderr);
});

test('several bad variables are all reported, each as its own line, in one ConfigErrors', (t) => {
  const error = configErrorOf({
    PORT: 'x',
    LOG_LEVEL: 'loud',
    BASE_PATH: '/kb/',
    SERVICES: 'tickets',
    FAQ_API: 'nope',
  });
  t.true(error instanceof ConfigErrors);
  const errors = (error as ConfigErrors).errors;
  t.deepEqual(
    errors.map((each) => each.variable),
    ['PORT', 'LOG_LEVEL', 'FAQ_API', 'BASE_PATH'],
  );
  t.deepEqual(
    error.message.split('\n'),
    errors.map((each) => each.message),
  );
  // The FAQ_API that is set but bad is reported once, not also as missing.
  t.is(errors.filter((each) => each.variable === 'FAQ_API').length, 1);
});

test("METRICS_TOKEN is a scrape secret of its own: unset by default, 32 characters or more without spaces, never the admin's; a bad one is reported with the rest and never shown", (t) => {
  const strong = 'metrics-0123456789abcdef0123456789abcdef';
  t.is(loadConfig({}).metricsToken, undefined);
  t.is(loadConfig({ METRICS_TOKEN: '' }).metricsToken, undefined);
  t.is(loadConfig({ METRICS_TOKEN: strong }).metricsToken, strong);
  for (const bad of ['short-secret', `${strong.slice(0, 20)} ${strong.slice(20)}`, 'x'.repeat(31)]) {
    const error = configErrorOf({ METRICS_TOKEN: bad });
    t.is(error.variable, 'METRICS_TOKEN');
    t.regex(error.message, /^METRICS_TOKEN: expected at least 32 characters without spaces/);
    t.false(error.message.includes(bad), 'the secret is not echoed');
  }
  const same = configErrorOf({ ADMIN_TOKEN: strong, METRICS_TOKEN: strong });
  t.is(same.variable, 'METRICS_TOKEN');
  t.regex(same.message, /must differ from ADMIN_TOKEN/);
  t.false(same.message.includes(strong));
  const several = configErrorOf({ PORT: 'x', METRICS_TOKEN: 'short-secret', ADMIN_TOKEN: 'also short' });
  t.deepEqual(
    (several as ConfigErrors).errors.map((each) => each.variable),
    ['PORT', 'ADMIN_TOKEN', 'METRICS_TOKEN'],
  );
});
