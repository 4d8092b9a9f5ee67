// Tokens: admins mint and revoke them; the secret is shown once and only its SHA-256 reaches the database;
// an operator can mint one at the shell with the CLI, and the server accepts it at once.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import {
  type HalDocument,
  HAL_FORMS,
  embeddedIds,
  linkRels,
  mintToken,
  uniqueWord,
} from '../../helpers/access-fixtures.ts';
import { assertProblem, namedFields, problemKind } from '../../helpers/access-problems.ts';
import { createTestDatabase, testEngine } from '../../helpers/database.ts';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(() => server?.close());

const databaseFile = (s: TestServer) => s.config.databaseUrl.slice('file:'.length);

test('an admin mints a token: 201 with its address, and the secret in that answer only', async (t) => {
  const response = await server.fetch('/tokens', json('POST', { name: 'alice', role: 'agent' }, { Accept: HAL_FORMS }));
  t.is(response.status, 201);
  const minted = (await response.json()) as HalDocument & {
    id: number;
    secret: string;
    name: string;
    role: string;
    email: null;
  };
  t.is(response.headers.get('location'), server.at(`/tokens/${minted.id}`));
  t.like(minted, { name: 'alice', role: 'agent', email: null });
  t.regex(minted.secret, /^hd_[A-Za-z0-9_-]{43}$/);
  t.deepEqual(linkRels(minted), ['collection', 'self']);

  for (const path of [`/tokens/${minted.id}`, '/tokens?size=100']) {
    for (const accept of ['application/hal+json', HAL_FORMS]) {
      const text = await (await server.fetch(path, { headers: { Accept: accept } })).text();
      t.false(text.includes(minted.secret), `${path} shows the secret`);
      t.false(text.includes('"secret"'), `${path} has a secret field`);
    }
  }
  const again = (await (await server.fetch(`/tokens/${minted.id}`)).json()) as Record<string, unknown>;
  t.deepEqual(Object.keys(again).sort(), ['_links', 'createdAt', 'email', 'id', 'name', 'role']);
});

test('a minted token works at once, with the role it was given', async (t) => {
  const agent = await mintToken(server, 'agent');
  t.is((await server.as(agent.secret).fetch('/tickets')).status, 200);
  await assertProblem(t, await server.as(agent.secret).fetch('/tokens'), 403);
  const admin = await mintToken(server, 'admin');
  t.is((await server.as(admin.secret).fetch('/tokens')).status, 200);
});

test('a requester token needs an email: 400 naming it, and no token is minted', async (t) => {
  const name = `carol-${uniqueWord()}`;
  const named = async () => {
    const list = (await (await server.fetch('/tokens?size=100')).json()) as HalDocument;
    return list._embedded!.tokens!.filter((token) => token.name === name);
  };
  for (const body of [
    { name, role: 'requester' },
    { name, role: 'requester', email: null },
  ]) {
    const problem = await assertProblem(t, await server.fetch('/tokens', json('POST', body)), 400);
    t.deepEqual(namedFields(problem), ['email']);
  }
  const badEmail = await assertProblem(
    t,
    await server.fetch('/tokens', json('POST', { name, role: 'requester', email: 'not an email' })),
    400,
  );
  t.deepEqual(namedFields(badEmail), ['email']);
  t.deepEqual(await named(), []);
});

test('a revoked token is refused with 401 at once, leaves the list, and revoking it again is 410', async (t) => {
  const { id, secret } = await mintToken(server, 'agent');
  t.is((await server.as(secret).fetch('/tickets')).status, 200);
  t.is((await server.fetch(`/tokens/${id}`, { method: 'DELETE' })).status, 204);
  const refused = await server.as(secret).fetch('/tickets');
  await assertProblem(t, refused, 401);
  t.regex(refused.headers.get('www-authenticate') ?? '', /^Bearer\b.*error="invalid_token"/);
  // Refused even where no token is needed: a bad credential is never quietly treated as anonymous.
  await assertProblem(t, await server.as(secret).fetch('/faqs'), 401);
  const list = (await (await server.fetch('/tokens?size=100')).json()) as HalDocument;
  t.false(embeddedIds(list, 'tokens').includes(id));
  await assertProblem(t, await server.fetch(`/tokens/${id}`), 410);
  await assertProblem(t, await server.fetch(`/tokens/${id}`, { method: 'DELETE' }), 410);
});

test('a revoked admin token loses its powers at once: it can no longer revoke other tokens', async (t) => {
  const admin = await mintToken(server, 'admin');
  const victim = await mintToken(server, 'agent');
  t.is((await server.fetch(`/tokens/${admin.id}`, { method: 'DELETE' })).status, 204);
  await assertProblem(t, await server.as(admin.secret).fetch(`/tokens/${victim.id}`, { method: 'DELETE' }), 401);
  t.is((await server.as(victim.secret).fetch('/tickets')).status, 200);
});

test('only admins are shown the tokens link in the home document', async (t) => {
  const [admin, agent, requester] = await Promise.all([
    mintToken(server, 'admin'),
    mintToken(server, 'agent'),
    mintToken(server, 'requester', 'dave@customers.example'),
  ]);
  const tokensLink = async (token: string | null) =>
    ((await (await server.as(token).fetch('/')).json()) as HalDocument)._links.tokens;
  t.deepEqual(await tokensLink(server.adminToken), {
    href: server.at('/tokens{?page,size}'),
    templated: true,
    title: 'Access tokens',
  });
  t.truthy(await tokensLink(admin.secret));
  t.is(await tokensLink(agent.secret), undefined);
  t.is(await tokensLink(requester.secret), undefined);
  t.is(await tokensLink(null), undefined);
});

test('the database never holds a secret: the tokens table keeps only its SHA-256, and no file on disk contains it', async (t) => {
  const minted = await Promise.all([
    mintToken(server, 'agent'),
    mintToken(server, 'admin'),
    mintToken(server, 'requester', 'erin@customers.example'),
  ]);
  const rows = (await server.inspect((db) => db.selectFrom('tokens').selectAll().execute())) as Record<
    string,
    unknown
  >[];
  for (const { id, secret } of minted) {
    const row = rows.find((r) => Number(r.id) === id)!;
    t.is(row.secret_hash, createHash('sha256').update(secret).digest('hex'));
    for (const value of rows.flatMap((r) => Object.values(r))) t.false(String(value).includes(secret));
  }
  // On SQLite the files are ours to read: the main file, its WAL and the rate-limit file hold none of the bytes.
  if (testEngine !== 'sqlite') return;
  const directory = join(databaseFile(server), '..');
  for (const file of readdirSync(directory)) {
    const bytes = readFileSync(join(directory, file));
    for (const { secret } of minted) t.false(bytes.includes(secret), `${file} holds a secret`);
  }
});

// ---- The CLI, for an operator at the shell ----

const run = promisify(execFile);

function cli(databaseUrl: string, args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    timeout: 30_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout: string; stderr: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

test('the CLI mints a token whose printed secret a server on the same database accepts, with its role', async (t) => {
  const database = await createTestDatabase();
  const databaseUrl = database.url;
  const shared = await startTestServer({ DATABASE_URL: databaseUrl });
  try {
    const [agent, requester] = await Promise.all([
      cli(databaseUrl, ['--role', 'agent', '--name', 'alice']),
      cli(databaseUrl, ['--role', 'requester', '--name', 'frank', '--email', 'frank@customers.example']),
    ]);
    t.is(agent.code, 0, agent.stderr);
    const agentSecret = /^(hd_\S+)$/m.exec(agent.stdout)?.[1];
    const requesterSecret = /^(hd_\S+)$/m.exec(requester.stdout)?.[1];
    t.truthy(agentSecret && requesterSecret, agent.stdout);
    t.is((await shared.as(agentSecret!).fetch('/tickets')).status, 200);
    t.is(problemKind(await assertProblem(t, await shared.as(agentSecret!).fetch('/tokens'), 403)), 'forbidden');
    const reported = await shared
      .as(requesterSecret!)
      .fetch('/tickets', json('POST', { title: 'Made by a CLI requester' }));
    t.is(((await reported.json()) as { requester: string }).requester, 'frank@customers.example');
    const listed = (await (await shared.fetch('/tokens')).json()) as HalDocument;
    t.deepEqual(listed._embedded!.tokens!.map((token) => [token.name, token.role]).sort(), [
      ['alice', 'agent'],
      ['frank', 'requester'],
    ]);
  } finally {
    await shared.close();
    await database.drop();
  }
});

test('the CLI refuses bad arguments with a usage line and a non-zero exit, minting nothing', async (t) => {
  const database = await createTestDatabase();
  // A server migrates the database first, so that "nothing minted" is a count of an existing table.
  const shared = await startTestServer({ DATABASE_URL: database.url });
  try {
    // One of each way to go wrong: a missing option, a rule between options, and what parseArgs itself refuses.
    const attempts = [[], ['--role', 'requester', '--name', 'x'], ['--rol', 'agent', '--name', 'x']];
    const results = await Promise.all(attempts.map((args) => cli(database.url, args)));
    results.forEach((result, index) => {
      const args = attempts[index]!.join(' ');
      t.not(result.code, 0, args);
      t.regex(result.stderr, /^usage: npm run token -- --role/m, args);
      t.notRegex(result.stderr, /\n\s+at /, `${args}: a stack trace`);
      t.false(/hd_/.test(result.stdout), args);
    });
    const tokens = await shared.inspect((db) => db.selectFrom('tokens').select('id').execute());
    t.is(tokens.length, 0);
  } finally {
    await shared.close();
    await database.drop();
  }
});

test('the CLI answers --help (and -h) with its usage on stdout and exit 0, minting nothing', async (t) => {
  const database = await createTestDatabase();
  const shared = await startTestServer({ DATABASE_URL: database.url });
  try {
    for (const flag of ['--help', '-h']) {
      const result = await cli(database.url, [flag]);
      t.is(result.code, 0, result.stderr);
      t.regex(
        result.stdout,
        /^usage: npm run token -- --role admin\|agent\|requester --name NAME \[--email EMAIL\]$/m,
        flag,
      );
      t.is(result.stderr, '', flag);
    }
    const tokens = await shared.inspect((db) => db.selectFrom('tokens').select('id').execute());
    t.is(tokens.length, 0);
  } finally {
    await shared.close();
    await database.drop();
  }
});
