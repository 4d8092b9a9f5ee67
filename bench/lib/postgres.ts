// A PostgreSQL cluster of the bench's own, as scripts/with-postgres.sh makes one for the tests (trust on loopback,
// fsync off), but kept in a folder of its own between runs: a million tickets take many minutes to load.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Debian keeps the server binaries out of PATH, one folder per major version: the newest. */
function binaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(a) - Number(b)) : [];
  const found = versions
    .map((v) => join(root, v, 'bin'))
    .filter((dir) => existsSync(join(dir, 'pg_ctl')))
    .at(-1);
  if (!found) throw new Error('bench: no PostgreSQL server found (Debian: apt-get install -y postgresql)');
  return found;
}

/** initdb and the server refuse to run as root: there, the cluster belongs to the postgres user. */
function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

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

export interface Cluster {
  url: string;
  /** Whether the folder held a cluster already (so its data may be there from an earlier run). */
  reused: boolean;
  stop(): void;
}

/** Starts the cluster kept in `folder` (made there first if there is none) on a free loopback port. */
export async function startCluster(folder: string): Promise<Cluster> {
  const bin = binaries();
  const data = join(folder, 'data');
  const reused = existsSync(join(data, 'PG_VERSION'));
  if (!reused) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', folder]);
    run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
  }
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${folder} -c fsync=off -c full_page_writes=off -c max_connections=100`;
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(folder, 'server.log'), '-w', '-t', '120', '-o', options, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    reused,
    stop: () => run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', 'stop']),
  };
}

/** Marks a folder's data as complete, so that a later run uses it instead of loading again. */
export function markFilled(folder: string): void {
  writeFileSync(join(folder, 'filled'), new Date().toISOString());
  if (process.getuid?.() === 0) chownSync(join(folder, 'filled'), 0, 0);
}

export const isFilled = (folder: string) => existsSync(join(folder, 'filled'));
