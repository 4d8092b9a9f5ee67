// A PostgreSQL cluster of a test's own (initdb in a temporary directory, loopback, a spare port), for tests that
// restart or stop the database under a running server: the shared cluster of scripts/with-postgres.sh serves
// every other test file at once, so it must never go down.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresCluster {
  /** A URL of the cluster's `postgres` database, for a test server to use. */
  url: string;
  /** `pg_ctl restart -m fast`: sessions are terminated (57P01), the server is briefly gone, then back. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster at once and removes its directory. */
  destroy(): Promise<void>;
}

/** Where pg_ctl is: on PATH, or (Debian keeps it out of PATH) the newest /usr/lib/postgresql/N/bin, as with-postgres.sh finds it. */
function serverBinaries(): string {
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => dir && existsSync(join(dir, 'pg_ctl')));
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  if (versions.length === 0)
    throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (Debian: apt-get install -y postgresql)');
  return join(root, versions.at(-1)!, 'bin');
}

function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = serverBinaries();
  // initdb refuses to run as root: there, the cluster belongs to the postgres user.
  const asRoot = process.getuid?.() === 0;
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const pg = (tool: string, args: string[]) => run(...command(tool, args));
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-pg-fault-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await sparePort();
  // As scripts/with-postgres.sh: loopback only, its socket in its own directory, fsync off for shared disks.
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off -c max_connections=100`;
  const ctl = (...args: string[]) =>
    pg('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...args]);
  try {
    await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
    await ctl('-o', options, 'start');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const destroy = async () => {
    await ctl('-m', 'immediate', 'stop').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that dies must not leave a cluster running (at exit, only synchronous work happens).
  process.once('exit', () => {
    if (!existsSync(dir)) return;
    try {
      execFileSync(...command('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => void (await ctl('-m', 'fast', '-o', options, 'restart')),
    stop: async () => void (await ctl('-m', 'fast', 'stop')),
    start: async () => void (await ctl('-o', options, 'start')),
    destroy,
  };
}
