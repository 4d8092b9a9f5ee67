// A search waits on the database without making other requests wait with it: on SQLite it runs on a thread of
// its own (src/store/engines/sqlite-search-thread.ts), which the store closes with everything else.
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import test from 'ava';
import pg from 'pg';
import { openStore } from '../../../src/store/index.ts';
import { createTestDatabase, testEngine } from '../../helpers/database.ts';
import { createTicket, unique } from '../../helpers/seed.ts';
import { startTestServer } from '../../helpers/server.ts';

/** Holds the database so that a search cannot read until released (or until `seconds` pass, on SQLite). */
interface Blocker {
  /** Releases it: 'asked' when this call released it, 'timed out' when it had released itself already. */
  release(): Promise<'asked' | 'timed out'>;
}

// What the perl child does: an exclusive lock on the WAL index's reader bytes (offset 120, 8 bytes: SQLite's
// file format), which every new read transaction needs a share of, held until told (a line on stdin) or until
// the alarm; it says which ended it.
const HOLD_READ_LOCKS = `
use Fcntl;
open(my $fh, '+<', $ARGV[0]) or die "open: $!";
my $lock = pack('s s x4 q q i x4', F_WRLCK, 0, 120, 8, 0);
fcntl($fh, F_SETLK, $lock) or die "lock: $!";
$| = 1;
print "locked\\n";
$SIG{ALRM} = sub { print "timed out\\n"; exit 0 };
alarm $ARGV[1];
<STDIN>;
print "asked\\n";
`;

async function block(url: string, seconds: number): Promise<Blocker> {
  if (testEngine === 'sqlite') {
    const holder = spawn('perl', ['-e', HOLD_READ_LOCKS, `${url.slice('file:'.length)}-shm`, String(seconds)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let exited = false;
    let said: () => void = () => {};
    holder.stdout.setEncoding('utf8').on('data', (text: string) => {
      lines.push(...text.split('\n').filter(Boolean));
      said();
    });
    holder.on('exit', () => {
      exited = true;
      said();
    });
    const next = (count: number) =>
      new Promise<string>((resolve, reject) => {
        said = () =>
          lines.length >= count
            ? resolve(lines[count - 1]!)
            : exited && reject(new Error(`the lock holder ended after: ${lines.join(', ')}`));
        said();
      });
    if ((await next(1)) !== 'locked') throw new Error('could not lock the WAL index');
    return {
      async release() {
        holder.stdin.end('release\n');
        return (await next(2)) as 'asked' | 'timed out';
      },
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE tickets_search IN ACCESS EXCLUSIVE MODE');
  return {
    async release() {
      await client.query('ROLLBACK');
      await client.end();
      return 'asked';
    },
  };
}

test('a search waiting for the database does not hold up /health; it answers once the database is free', async (t) => {
  // The lock below holds every connection's reads, so nothing else may read on the main connection meanwhile: no
  // answer cache (its check for commits reads the WAL index) and no import worker polling for jobs (every second
  // by default). This test is about the search's own statements.
  const server = await startTestServer({
    ANSWER_CACHE_ENTRIES: '0',
    IMPORT_POLL_MS: '600000',
    IMPORT_LEASE_MS: '1800000',
  });
  t.teardown(() => server.close());
  const word = unique('held').split(' ')[1]!;
  const ticket = await createTicket(server, { title: `Held up ${word}` });
  const blocker = await block(server.config.databaseUrl, 10);
  const searching = server.fetch(`/search?q=${word}`);
  // Long enough for the search to reach the database: had it blocked the event loop, this timer would wait too.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const health = await server.fetch('/health');
  t.is(health.status, 200);
  t.is(await blocker.release(), 'asked', '/health answered while the search was still waiting');
  const found = await searching;
  t.is(found.status, 200);
  t.deepEqual(
    ((await found.json()) as { _embedded: { tickets: { id: number }[] } })._embedded.tickets.map(({ id }) => id),
    [ticket.body.id],
  );
});

/** The files of the database this process has open (Linux: /proc/self/fd), or on PostgreSQL its sessions. */
async function openHandles(url: string): Promise<number> {
  if (testEngine === 'sqlite') {
    const path = url.slice('file:'.length);
    return readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false; // closed meanwhile (the fd of readdir itself)
      }
    }).length;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'helpdesk'`,
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/**
 * openHandles once the store has closed: at once on SQLite (closing a file is synchronous); on PostgreSQL a
 * session leaves pg_stat_activity when its backend has exited, a moment after the client hung up (a full suite's
 * load once caught one still there), so it is asked again for up to two seconds. A session left open stays.
 */
async function handlesAfterClose(url: string): Promise<number> {
  const deadline = Date.now() + 2000;
  let open = await openHandles(url);
  while (open > 0 && testEngine === 'postgres' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    open = await openHandles(url);
  }
  return open;
}

test("closing the store closes every connection it opened, the search thread's included", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const store = await openStore({ url: database.url, synchronous: 'NORMAL' });
  await store.tickets.create({
    title: 'Searched before closing',
    description: '',
    status: 'open',
    priority: 'normal',
    requester: 'close@example.com',
    assignee: null,
    tags: [],
  });
  const found = await store.tickets.search('closing', 10);
  t.deepEqual(
    found.items.map(({ title }) => title),
    ['Searched before closing'],
  );
  // SQLite: the main connection and the search thread's; PostgreSQL: the pool's.
  t.true((await openHandles(database.url)) >= (testEngine === 'sqlite' ? 2 : 1));
  await store.close();
  t.is(await handlesAfterClose(database.url), 0);
  await t.throwsAsync(() => store.tickets.search('closing', 10));
});
