import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explorerFiles } from '../../src/resources/explorer/assets.ts';
import { writeExplorer } from '../../src/resources/explorer/build.ts';

const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-explorer-'));
  folders.push(dir);
  return dir;
}
test.after.always(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

test('a current build is served from its folder, byte for byte', async (t) => {
  const dir = folder();
  const written = await writeExplorer(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    script: string;
    sources: string[];
  };
  t.is(manifest.script, written.script);
  t.true(manifest.sources.includes('src/explorer/main.ts'));
  const served = await explorerFiles(dir)();
  t.is(served.script, written.script);
  t.deepEqual(served.assets.get(served.script)?.contents, readFileSync(join(dir, written.script)));
});

test('a build made from other sources is not served: the explorer is built afresh', async (t) => {
  const dir = folder();
  const stale = {
    script: 'explorer-OLDOLDOL.js',
    stylesheet: 'explorer-OLDOLDOL.css',
    sources: ['src/explorer/main.ts'],
    fingerprint: 'made-from-other-sources',
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(stale));
  writeFileSync(join(dir, stale.script), 'console.log("old")');
  writeFileSync(join(dir, stale.stylesheet), 'body{}');
  const served = await explorerFiles(dir)();
  t.not(served.script, stale.script);
  t.false(served.assets.has(stale.script));
  t.true(served.assets.get(served.script)!.contents.includes('explorer'));
});

test('with no build at all the explorer is built in memory, and its files have their types', async (t) => {
  const served = await explorerFiles(folder())();
  t.is(served.assets.get(served.script)?.type, 'text/javascript');
  t.is(served.assets.get(served.stylesheet)?.type, 'text/css');
});
