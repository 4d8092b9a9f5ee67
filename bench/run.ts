// npm run bench [-- NAME [ARGS…]]: runs every bench/*.bench.ts (whose name contains NAME) in name order, each in a
// child process of its own (given ARGS), one after another. Each prints its own table with PASS or MISS per target; this runner
// fails only when a bench file itself crashes, since a MISS is a finding to read, not a broken build.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(folder)
  .filter((name) => name.endsWith('.bench.ts') && name.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`bench: no bench/*.bench.ts matches "${filter}"`);
  process.exit(1);
}
const crashed: string[] = [];
for (const file of files) {
  console.log(`\n## ${file}`);
  const started = Date.now();
  const { status, signal } = spawnSync(
    process.execPath,
    ['--import', 'tsx', `${folder}${file}`, ...process.argv.slice(3)],
    { stdio: 'inherit' },
  );
  console.log(`\n(${file}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (status !== 0) crashed.push(`${file} (${signal ?? `exit ${status}`})`);
}
if (crashed.length > 0) {
  console.error(`\nbench: crashed: ${crashed.join(', ')}`);
  process.exit(1);
}
