// Builds the explorer (browser TypeScript and CSS under src/explorer/) into content-hashed static files, with
// esbuild. `npm run build` writes them to dist/explorer/ with a manifest naming the files and fingerprinting
// the sources they came from, so the server can tell a current build from a stale one.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { CSS, JAVASCRIPT } from '../../http/media-types.ts';
import { PROJECT_ROOT } from '../../project.ts';

export interface Asset {
  name: string;
  type: string;
  contents: Buffer;
  etag: string;
}

/** What the page needs to know about a build, and what it was built from; saved beside the files. */
export interface Manifest {
  script: string;
  stylesheet: string;
  /** The files the build read, relative to the project root. */
  sources: string[];
  /** A hash of those files' contents: when it no longer matches them, the build is stale. */
  fingerprint: string;
}

/** The built explorer: its files by name, and the manifest. */
export interface ExplorerBuild extends Manifest {
  assets: Map<string, Asset>;
}

const ROOT = PROJECT_ROOT;
export const DIST = join(ROOT, 'dist', 'explorer');
const ENTRY = join(ROOT, 'src', 'explorer', 'main.ts');
const TYPES: Record<string, string> = { '.js': JAVASCRIPT, '.css': CSS };

export function asset(name: string, contents: Buffer): Asset {
  const type = TYPES[extname(name)];
  if (!type) throw new Error(`the explorer build made ${name}, a kind of file it does not serve`);
  return { name, type, contents, etag: `"${createHash('sha256').update(contents).digest('base64url').slice(0, 22)}"` };
}

/** The hash of the sources' names and contents, or undefined when one of them is gone. */
export function fingerprint(sources: readonly string[]): string | undefined {
  const hash = createHash('sha256');
  try {
    for (const source of [...sources].sort())
      hash
        .update(source)
        .update('\0')
        .update(readFileSync(join(ROOT, source)))
        .update('\0');
  } catch {
    return undefined;
  }
  return hash.digest('base64url');
}

export async function buildExplorer(): Promise<ExplorerBuild> {
  // Loaded only when a build is needed: a server with a current dist/ never starts esbuild.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { explorer: ENTRY },
    bundle: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    legalComments: 'none',
    entryNames: '[name]-[hash]',
    outdir: DIST,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    assets.set(name, asset(name, Buffer.from(file.contents)));
  }
  const names = [...assets.keys()];
  const script = names.find((name) => name.endsWith('.js'));
  const stylesheet = names.find((name) => name.endsWith('.css'));
  if (!script || !stylesheet)
    throw new Error(`the explorer build made ${names.join(', ')}: a script and a stylesheet were expected`);
  const sources = Object.keys(result.metafile.inputs).sort();
  const print = fingerprint(sources);
  if (print === undefined) throw new Error('the explorer build named sources that cannot be read back');
  return { assets, script, stylesheet, sources, fingerprint: print };
}

/** Replaces dist/explorer/ with a fresh build, so stale hashed files never pile up. */
export async function writeExplorer(directory = DIST): Promise<ExplorerBuild> {
  const build = await buildExplorer();
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  for (const { name, contents } of build.assets.values()) writeFileSync(join(directory, name), contents);
  const { script, stylesheet, sources, fingerprint: print } = build;
  const manifest: Manifest = { script, stylesheet, sources, fingerprint: print };
  writeFileSync(join(directory, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return build;
}
