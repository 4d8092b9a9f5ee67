// Runs a server in a child process of the bench, so that the load generator and the server never share an event
// loop (the machine has two cores: one each), and reports its address and, on request, its memory and CPU time
// (bench/lib/usage-reporter.js, preloaded into the child).
import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface ChildServer {
  url: string;
  /** The child's resident set size in bytes, as process.memoryUsage().rss reports it there. */
  rss(): Promise<number>;
  /** CPU time (user + system) the child has used so far, in microseconds: robust where wall-clock rates are not. */
  cpu: () => Promise<number>;
  /** Microseconds the child spent in each part of answering so far (src/http/spans.ts; empty unless BENCH_SPANS=1). */
  spans(): Promise<Record<string, number>>;
  /**
   * The longest the child's event loop went without a turn since the last call, and the CPU it used meanwhile
   * (BENCH_STALLS=1; zeros otherwise): CPU near the wall time is work of ours holding the loop, little CPU is
   * the machine not running the child.
   */
  held(): Promise<Held>;
  stop(): Promise<void>;
}

export interface Held {
  wallMs: number;
  cpuMs: number;
}

type Usage = { rss: number; cpu: number; spans: Record<string, number>; held: Held };

const REPORTER = fileURLToPath(new URL('usage-reporter.js', import.meta.url));
const STARTUP_MS = 30_000;

/** A loopback port nobody listens on now (the OS picks it), for a child that must be told its port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts `script` with node (and `execArgv`), `env` added to this process's environment and PORT set to a free
 * port, and resolves once `ready` (a path) answers 200 there.
 */
export async function startChild(
  script: string,
  { env = {}, execArgv = [], ready }: { env?: Record<string, string>; execArgv?: string[]; ready: string },
): Promise<ChildServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = fork(script, [], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    execArgv: [...execArgv, '--import', REPORTER],
    // The server's own log lines would cost the bench process as much as the server: they go nowhere.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const waiting: ((usage: Usage) => void)[] = [];
  child.on('message', (message: { usage?: Usage }) => message.usage && waiting.shift()?.(message.usage));
  const usage = () =>
    new Promise<Usage>((answer) => {
      waiting.push(answer);
      child.send('usage');
    });
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    if (exited !== undefined) throw new Error(`${script} exited (${exited}) before it answered ${ready}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${script} did not answer ${ready} within ${STARTUP_MS / 1000} s`);
    }
    const status = await fetch(url + ready).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((wait) => setTimeout(wait, 50));
  }
  return {
    url,
    rss: async () => (await usage()).rss,
    cpu: async () => (await usage()).cpu,
    spans: async () => (await usage()).spans,
    held: async () => (await usage()).held,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
