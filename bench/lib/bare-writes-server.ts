// The yardstick for durable creates: a bare Koa app that reads a JSON body, parses it, and inserts it with one
// prepared statement, the inserts that arrive together committed in one transaction (group commit), on SQLite
// with synchronous=FULL, into the helpdesk's own schema (BARE_DB, migrated by the store: same triggers, same
// search index). It answers 201 with the row as JSON. No validation, links, or anything else. GET /counts says
// how many commits it made for how many inserts (the bench reads the group sizes from it).
import Koa from 'koa';
import { openSqlite } from '../../src/store/engines/sqlite.ts';
import { openStore } from '../../src/store/index.ts';

const path = process.env.BARE_DB!;
await (await openStore({ url: `file:${path}`, synchronous: 'FULL' })).close(); // the schema, migrated
const sqlite = openSqlite(path, 'FULL');
const insert = sqlite
  .prepare(
    `INSERT INTO tickets (title, description, status, priority, requester, assignee, tags, version, created_at, updated_at)
  VALUES (?, ?, 'open', 'normal', ?, NULL, ?, 1, ?, ?) RETURNING id`,
  )
  .pluck(true);
const begin = sqlite.prepare('BEGIN');
const commit = sqlite.prepare('COMMIT');

type Queued = { fields: Record<string, unknown>; done: (id: number) => void };
let queue: Queued[] = [];
let scheduled = false;
const counts = { commits: 0, inserts: 0 };

function commitQueued(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  const at = new Date().toISOString();
  begin.run();
  const ids = batch.map(
    ({ fields }) =>
      insert.get(
        String(fields.title),
        String(fields.description ?? ''),
        String(fields.requester),
        JSON.stringify(fields.tags ?? []),
        at,
        at,
      ) as number,
  );
  commit.run();
  counts.commits += 1;
  counts.inserts += batch.length;
  batch.forEach((queued, i) => queued.done(ids[i]!));
}

function readBody(ctx: Koa.Context): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    ctx.req.on('data', (chunk: Buffer) => chunks.push(chunk));
    ctx.req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    ctx.req.on('error', reject);
  });
}

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method !== 'POST') {
    ctx.body = ctx.path === '/counts' ? counts : 'ready';
    return;
  }
  const fields = JSON.parse(await readBody(ctx)) as Record<string, unknown>;
  const id = await new Promise<number>((done) => {
    queue.push({ fields, done });
    if (!scheduled) {
      scheduled = true;
      setImmediate(commitQueued);
    }
  });
  ctx.status = 201;
  ctx.body = { id, ...fields };
});
const server = app.listen(Number(process.env.PORT), process.env.HOST);
server.keepAliveTimeout = 5_000;
process.once('SIGTERM', () => server.close(() => process.exit(0)));
