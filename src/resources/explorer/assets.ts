// Where the server gets the explorer's files: dist/explorer/ when it was built from the sources present, else
// a build made in memory on first use (once per process). So a fresh checkout serves the explorer without a
// build step, and an edit to the explorer is never hidden behind an old build.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, type ExplorerBuild, type Manifest, asset, buildExplorer, fingerprint } from './build.ts';

/** The build in `directory`, if there is one and its sources have not changed since. */
function currentBuild(directory: string): ExplorerBuild | undefined {
  const manifestFile = join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  if (fingerprint(manifest.sources) !== manifest.fingerprint) return undefined;
  const assets = new Map(
    [manifest.script, manifest.stylesheet].map((name) => [name, asset(name, readFileSync(join(directory, name)))]),
  );
  return { ...manifest, assets };
}

let inMemory: Promise<ExplorerBuild> | undefined;

/** The explorer's files, looked up when the app is built (a later `npm run build` is served after a restart). */
export function explorerFiles(directory = DIST): () => Promise<ExplorerBuild> {
  const built = currentBuild(directory);
  if (built) return () => Promise.resolve(built);
  return () =>
    (inMemory ??= buildExplorer().catch((error: unknown) => {
      inMemory = undefined; // a failed build is retried by the next request, not remembered
      throw error;
    }));
}
