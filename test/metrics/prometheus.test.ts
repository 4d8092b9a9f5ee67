// The README's scrape_config, as written, scrapes this server: Prometheus itself (Debian's package
// `prometheus`, which .ci/run installs; without it this fails, never skips) is started with it, the README's token
// file replaced by one holding METRICS_TOKEN and its target by the test server, and must find the target up.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const METRICS_TOKEN = `prometheus-${'7'.repeat(40)}`;

/** The yaml block of the README that begins `# prometheus.yml`. */
function readmeScrapeConfig(): string {
  const block = /```yaml\n# prometheus\.yml\n([\s\S]*?)```/.exec(README)?.[1];
  if (!block) throw new Error('no ```yaml block starting "# prometheus.yml" in the README');
  return block;
}

/** A port free on loopback now, for Prometheus's own web server. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

let server: TestServer;
let dir: string;
let prometheus: ChildProcess | undefined;
test.before(async () => {
  server = await startTestServer({ METRICS_TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'helpdesk-prometheus-'));
});
test.after.always(async () => {
  prometheus?.kill('SIGTERM');
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Target {
  health: string;
  lastError: string;
  scrapeUrl: string;
}

test("Prometheus, given the README's scrape_config, scrapes /metrics with METRICS_TOKEN and finds the target up", async (t) => {
  const documented = readmeScrapeConfig();
  const tokenFile = join(dir, 'helpdesk-metrics-token');
  writeFileSync(tokenFile, `${METRICS_TOKEN}\n`, { mode: 0o600 }); // as `openssl rand -hex 32 >` leaves it: with a newline
  const target = new URL(server.url).host;
  const config = documented
    .replace(/credentials_file: \S+/, `credentials_file: ${tokenFile}`)
    .replace(`'127.0.0.1:3000'`, `'${target}'`);
  t.true(config.includes(tokenFile) && config.includes(target), 'the README names a token file and the default target');
  // Scraped every second, so that the test need not wait for the default minute.
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, `global:\n  scrape_interval: 1s\n${config}`);

  const check = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
  if (check.error) throw new Error(`cannot run promtool (apt-get install -y prometheus): ${check.error.message}`);
  t.is(check.status, 0, check.stdout + check.stderr);

  const port = await freePort();
  const output: string[] = [];
  prometheus = spawn(
    'prometheus',
    [`--config.file=${file}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const started = new Promise<void>((resolve, reject) => {
    prometheus!.once('spawn', resolve);
    prometheus!.once('error', (error) =>
      reject(new Error(`cannot run prometheus (apt-get install -y prometheus): ${error.message}`)),
    );
  });
  prometheus.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  prometheus.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  await started;

  let targets: Target[] = [];
  const deadline = Date.now() + 30_000;
  while (!(targets.length === 1 && targets[0]!.health !== 'unknown')) {
    if (Date.now() > deadline) throw new Error(`no scrape within 30 s: ${JSON.stringify(targets)}\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    try {
      const answer = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets`)).json()) as {
        data: { activeTargets: Target[] };
      };
      targets = answer.data.activeTargets;
    } catch {
      // Not listening yet.
    }
  }
  t.like(targets[0], { health: 'up', lastError: '', scrapeUrl: `${server.url}/metrics` });
});
