// Runs the real server as a child process (as an operator would, with an environment), for tests about several
// processes on one database, about signals, and about the compiled server that `npm start` runs.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as pause } from 'node:timers/promises';
import { createTestDatabase } from './database.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  adminToken: string;
  /** Every log line the process wrote so far, parsed. */
  logs: Record<string, unknown>[];
  /** Lines on stdout that were not JSON (there should be none: logs are JSON lines). */
  otherOutput: string[];
  /** Resolves with the first log line (already written or still to come) that `matches`; rejects after `ms`. */
  logged(matches: (entry: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  /** fetch relative to the server, as the admin. */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  /** Resolves with the exit code (null if killed by a signal) once the process has exited. */
  exited: Promise<number | null>;
  /** Sends a signal and resolves as `exited` does. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How to run the server: from its TypeScript sources (as tests do by default), or a compiled bundle's path. */
export type ServerEntry = { source: true } | { bundle: string };

const SOURCE = new URL('../../src/main.ts', import.meta.url).pathname;

function commandLine(entry: ServerEntry): string[] {
  return 'bundle' in entry ? ['--enable-source-maps', entry.bundle] : ['--import=tsx', SOURCE];
}

/** The server's environment: this process's, quiet on a spare loopback port, then what the test sets. */
function childEnv(env: Record<string, string>, adminToken: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SQLITE_SYNCHRONOUS: 'NORMAL',
    ADMIN_TOKEN: adminToken,
    RATE_LIMIT: '1000000/60',
    ANONYMOUS_RATE_LIMIT: '1000000/60',
    // Stopped at once: the tests about draining set their own delay.
    SHUTDOWN_DELAY_MS: '0',
    ...env,
  };
}

type LogEntry = Record<string, unknown>;

/** The first log line (already written, or emitted on `lines` later) that `matches`; rejects after `ms`. */
function firstLogged(
  output: { logs: LogEntry[]; lines: EventEmitter; stderr: () => string },
  matches: (entry: LogEntry) => boolean,
  ms: number,
): Promise<LogEntry> {
  const { logs, lines } = output;
  return new Promise((resolve, reject) => {
    const seen = logs.find(matches);
    if (seen) return resolve(seen);
    const timer = setTimeout(() => {
      lines.off('line', look);
      reject(new Error(`no log line within ${ms} ms where ${matches.toString()}; stderr: ${output.stderr().trim()}`));
    }, ms);
    const look = (entry: LogEntry) => {
      if (!matches(entry)) return;
      clearTimeout(timer);
      lines.off('line', look);
      resolve(entry);
    };
    lines.on('line', look);
  });
}

/** Starts the server on a spare loopback port; resolves once it logs that it listens, rejects if it exits first. */
export async function spawnServer(
  env: Record<string, string>,
  entry: ServerEntry = { source: true },
): Promise<ServerProcess> {
  const adminToken = env.ADMIN_TOKEN ?? `test-admin-${randomBytes(24).toString('hex')}`;
  const child = spawn(process.execPath, commandLine(entry), {
    env: childEnv(env, adminToken),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test process that dies (a timeout, an uncaught error) must not leave servers behind.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  const exit = once(child, 'exit');
  void exit.then(() => process.removeListener('exit', orphanGuard));
  const exited = exit.then(([code]) => code as number | null);
  const logs: Record<string, unknown>[] = [];
  const otherOutput: string[] = [];
  const lines = new EventEmitter();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        otherOutput.push(line);
        return;
      }
      logs.push(entry);
      lines.emit('line', entry);
      if (entry.msg === 'listening') resolve(String(entry.url));
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening: ${stderr.trim()}`)));
  });
  const url = await listening;
  return {
    child,
    url,
    adminToken,
    logs,
    otherOutput,
    exited,
    logged: (matches, ms = 20_000) => firstLogged({ logs, lines, stderr: () => stderr }, matches, ms),
    fetch: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('Authorization')) headers.set('Authorization', `Bearer ${adminToken}`);
      return fetch(new URL(path, url), { redirect: 'manual', ...init, headers });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * A server process with a fresh database of its own on the engine under test, dropped when it is closed: for
 * what only a process of its own can show (BASE_PATH, say, which the URI registry reads once per process).
 */
export async function spawnServerWithDatabase(
  env: Record<string, string> = {},
): Promise<ServerProcess & { close(): Promise<void> }> {
  const database = await createTestDatabase();
  let server: ServerProcess;
  try {
    server = await spawnServer({ DATABASE_URL: database.url, ...env });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    ...server,
    async close() {
      await server.stop();
      await database.drop();
    },
  };
}

/**
 * POSTs `body` to /tickets as the admin on a connection of its own, in two parts: its first `splitAt` bytes, then,
 * 300 ms later and once `between()` has run (a signal to the server, say), the rest. Resolves with the answer.
 */
export function postInTwoHalves(
  server: ServerProcess,
  body: Buffer,
  splitAt: number,
  between: () => Promise<void>,
): Promise<{ status: number; connection: string | undefined; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const slow = request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/tickets',
        agent: false,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': body.length,
          Authorization: `Bearer ${server.adminToken}`,
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, connection: response.headers.connection, body: text }),
        );
      },
    );
    slow.on('error', reject);
    slow.write(body.subarray(0, splitAt));
    pause(300)
      .then(between)
      .then(() => slow.end(body.subarray(splitAt)), reject);
  });
}
