// The README's curl walk, run as written: its shell blocks (each marked `<!-- walk -->`) are read from README.md,
// run by bash one command at a time against the server the walk itself starts (`npm start &`), and every
// `# → …` comment is checked against what that command printed. Hrefs and templates it documents must also be
// the registry's, so the README cannot drift from the routes either.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { endpoints } from '../src/links/registry.ts';
import { createTestDatabase } from './helpers/database.ts';
import { pathOf } from './helpers/hal.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The origin the README's documented answers show: its walk's default port, on the host it names. */
const README_ORIGIN = 'http://localhost:3000';
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Step {
  /** The command as bash runs it (continuation lines joined as the shell would read them). */
  command: string;
  /** What its `# → …` comment says it prints, or undefined for a command documented in prose only. */
  expected: string | undefined;
}

/** The shell blocks that follow a `<!-- walk -->` marker, in order. */
function walkBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/<!-- walk -->\n```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** Splits a block into commands: a line ending in `\` or `|` goes on; a line that is only a comment annotates the last. */
function steps(block: string): Step[] {
  const result: Step[] = [];
  let pending = '';
  for (const line of block.split('\n')) {
    if (line.trim() === '') continue;
    if (pending === '' && /^\s*#/.test(line)) {
      const last = result.at(-1)!;
      last.expected = expectation(line) ?? last.expected;
      continue;
    }
    const comment = /\s#\s/.exec(line);
    const code = comment ? line.slice(0, comment.index) : line;
    pending += (pending ? '\n' : '') + code.trimEnd();
    if (/[\\|]$/.test(code.trimEnd())) continue;
    result.push({ command: pending, expected: comment ? expectation(line.slice(comment.index)) : undefined });
    pending = '';
  }
  return result;
}

/** The answer a comment documents: what follows `→`, up to a ` — ` that starts prose. */
function expectation(comment: string): string | undefined {
  const arrow = comment.indexOf('→ ');
  if (arrow < 0) return undefined;
  return comment
    .slice(arrow + 2)
    .split(' — ')[0]!
    .trim();
}

async function sparePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True when `path` (no query) is a path of some endpoint in the registry. */
function isRegistryPath(path: string): boolean {
  const bare = path.split('?')[0]!;
  return Object.values(endpoints).some((endpoint) => endpoint.match(bare) !== undefined);
}

/** Every href in a documented JSON answer: a template is one of the registry's, a concrete href one of its paths. */
function hrefsOf(value: unknown, found: { href: string; templated: boolean }[] = []) {
  if (Array.isArray(value)) value.forEach((each) => hrefsOf(each, found));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.href === 'string') found.push({ href: record.href, templated: record.templated === true });
    Object.values(record).forEach((each) => hrefsOf(each, found));
  }
  return found;
}

/** Status line and headers of `curl -si`/`-sI` output. */
function parseHead(output: string): { status: number; headers: Map<string, string> } {
  const [statusLine, ...lines] = output.split('\r\n\r\n')[0]!.split('\r\n');
  const headers = new Map(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine!.split(' ')[1]), headers };
}

test('the walk is found in the README: marked blocks, each command with its documented answer', (t) => {
  const all = walkBlocks(README).flatMap(steps);
  t.true(walkBlocks(README).length >= 3);
  t.true(all[1]!.command === 'npm start &', 'the walk starts the server as the README tells a newcomer to');
  t.true(all.filter((step) => step.expected !== undefined).length >= 15, 'most commands document their answer');
});

/** Checks what step `index` of the walk printed (in `out`) against its comment; true when it documents an answer. */
function checkStep(t: ExecutionContext, step: Step, index: number, out: string, port: string): boolean {
  const rcFile = join(out, `${index}.rc`);
  t.true(existsSync(rcFile), `step ${index} never ran: ${step.command}`);
  if (!existsSync(rcFile)) return false;
  const output = readFileSync(join(out, String(index)), 'utf8');
  const label = `step ${index}: ${step.command}\n${output.slice(0, 2000)}`;
  t.is(readFileSync(rcFile, 'utf8').trim(), '0', label);
  if (step.expected === undefined) return false;
  // The README is written for the default port; this walk's server listens on another.
  const expected = step.expected.replaceAll(README_ORIGIN, `http://localhost:${port}`);
  if (/^\d{3}\b/.test(expected)) {
    // `201, Location: http://localhost:3000/tickets/1`: the status, then headers (a value ending in … is a prefix).
    const [status, ...headers] = expected.split(/, (?=[A-Z][A-Za-z-]*: )/);
    const head = parseHead(output);
    t.is(head.status, Number(status), label);
    for (const header of headers) {
      const [name, value] = [header.slice(0, header.indexOf(':')), header.slice(header.indexOf(':') + 1).trim()];
      const actual = head.headers.get(name.toLowerCase());
      if (value.endsWith('…')) t.true(actual?.startsWith(value.slice(0, -1).trimEnd()), `${name}: ${actual}\n${label}`);
      else t.is(actual, value, label);
      if (name === 'Location') t.true(isRegistryPath(pathOf(value)), `${value} is no path of the registry`);
    }
  } else {
    const documented = JSON.parse(expected) as unknown;
    t.deepEqual(JSON.parse(output) as unknown, documented, label);
    for (const { href, templated } of hrefsOf(documented)) {
      if (templated)
        t.true(
          Object.values(endpoints).some((endpoint) => endpoint.template === pathOf(href)),
          `${href} is no template of the registry`,
        );
      else t.true(isRegistryPath(pathOf(href)), `${href} is no path of the registry`);
    }
  }
  return true;
}

test('the README walk runs as written and every command prints what its comment says', async (t) => {
  t.true(existsSync(join(ROOT, 'dist', 'server.js')), 'npm start runs dist/server.js: run `npm run build` first');
  const all = walkBlocks(README).flatMap(steps);
  const out = mkdtempSync(join(tmpdir(), 'helpdesk-walk-'));
  const database = await createTestDatabase();
  t.teardown(async () => {
    rmSync(out, { recursive: true, force: true });
    await database.drop();
  });
  // Each command's output goes to a file of its own; `{ …; }` keeps variables and the background job in the
  // one shell, as they are when a reader pastes the blocks.
  // Job control on (`set -m`), as in a terminal: `npm start &` is a job with its own process group, which the
  // walk's `kill %1` signals whole (npm does not pass SIGTERM on to the server).
  const script = all
    .map(
      (step, index) =>
        `{ ${step.command}\n} >"${out}/${index}" 2>&1; echo $? >"${out}/${index}.rc"; [ -z "\${!:-}" ] || echo $! >"${out}/job.pid"`,
    )
    .join('\n');
  writeFileSync(join(out, 'walk.sh'), `set -m\n${script}\n`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(await sparePort()),
    DATABASE_URL: database.url,
    SQLITE_SYNCHRONOUS: 'NORMAL',
    LOG_LEVEL: 'info',
  };
  delete env.ADMIN_TOKEN;
  const bash = spawn('bash', [join(out, 'walk.sh')], { cwd: ROOT, env, stdio: 'ignore', detached: true });
  // The walk stops its server (`kill %1`); should it fail before that, its process group goes with the test.
  const killGroup = () => {
    const job = join(out, 'job.pid');
    for (const group of [bash.pid!, ...(existsSync(job) ? [Number(readFileSync(job, 'utf8'))] : [])]) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  t.teardown(killGroup);
  const timer = setTimeout(killGroup, 50_000);
  await once(bash, 'exit');
  clearTimeout(timer);
  const port = env.PORT!;

  let checked = 0;
  all.forEach((step, index) => {
    if (checkStep(t, step, index, out, port)) checked++;
  });
  t.true(checked >= 15, `only ${checked} documented answers were checked`);
  // `kill %1` stopped the server: within its grace period, nothing listens on the port any more.
  let stopped = false;
  for (let attempt = 0; attempt < 100 && !stopped; attempt++) {
    stopped = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.body?.cancel().then(() => false) ?? false,
      () => true,
    );
    if (!stopped) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.true(stopped, 'the server still answers after the walk stopped it');
  // The tickets link is the registry's own template, whatever the README says.
  t.true(
    README.includes(`"href":"${README_ORIGIN}${endpoints.tickets.template}"`),
    'the README shows the tickets template the registry has',
  );
});
