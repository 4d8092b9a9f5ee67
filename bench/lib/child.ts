// Runs a server in a child process of the bench, so that the load generator and the server never share an event
// loop (the machine has two cores: one each), and reports its address and, on request, its memory.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildServer {
  url: string;
  /** The child's resident set size in bytes, as process.memoryUsage().rss reports it there. */
  rss(): Promise<number>;
  /** CPU time (user + system) the child has used so far, in microseconds: robust where wall-clock rates are not. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

type Usage = { rss: number; cpu: number };
type Message = { url: string } | { usage: Usage } | { error: string };

/** Starts `entry` (a file in bench/lib) with `env` added to this process's environment. */
export function startChild(entry: 'helpdesk-server.ts' | 'bare-server.ts', env: Record<string, string>): Promise<ChildServer> {
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), [], {
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx'],
    // The server's own log lines would cost the bench process as much as the server: they go nowhere.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiting: ((usage: Usage) => void)[] = [];
  const usage = () => new Promise<Usage>((answer) => {
    waiting.push(answer);
    child.send('usage');
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}) before it listened`)));
    child.on('message', (message: Message) => {
      if ('error' in message) reject(new Error(`${entry}: ${message.error}`));
      else if ('usage' in message) waiting.shift()?.(message.usage);
      else {
        child.removeAllListeners('exit');
        resolve({
          url: message.url,
          rss: async () => (await usage()).rss,
          cpu: async () => (await usage()).cpu,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
        });
      }
    });
  });
}

/** For the child: answer the parent's questions on memory and CPU time. */
export function answerMemoryQuestions(): void {
  process.on('message', (message) => {
    if (message !== 'usage') return;
    const { user, system } = process.cpuUsage();
    process.send!({ usage: { rss: process.memoryUsage().rss, cpu: user + system } });
  });
  process.on('disconnect', () => process.exit(0));
}
