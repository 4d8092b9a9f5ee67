// Bundles the server (src/main.ts and all of src/ it imports) into one ES module, so that `npm start` runs plain
// JavaScript: no TypeScript loader in memory (tsx and its transforms are most of a 160 MB process at rest) and no
// wrappers it adds to every function. Dependencies stay in node_modules, loaded as they are.
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { PROJECT_ROOT } from '../src/project.ts';

/** Where `npm start` finds the server: one folder below the root, as src/project.ts requires. */
export const SERVER_BUNDLE = join(PROJECT_ROOT, 'dist', 'server.js');

/** Bundles `entry` (src/main.ts unless another entry that starts the server, such as a bench's, is given). */
export async function bundleServer(
  outfile = SERVER_BUNDLE,
  entry = join(PROJECT_ROOT, 'src', 'main.ts'),
): Promise<void> {
  await esbuild.build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    packages: 'external',
    // Stack traces in the logs point at the TypeScript sources (node --enable-source-maps).
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/**
 * The SQLite search thread's code, beside the server's bundle (and any other bundle in dist/, a bench's): the
 * server starts it from there (src/store/engines/sqlite-search-thread.ts).
 */
export async function bundleSearchThread(): Promise<void> {
  await bundleServer(
    join(PROJECT_ROOT, 'dist', 'sqlite-search-worker.js'),
    join(PROJECT_ROOT, 'src', 'store', 'engines', 'sqlite-search-worker.ts'),
  );
}
