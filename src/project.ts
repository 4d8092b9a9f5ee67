// Where the project's own files are (package.json, dist/, the explorer's sources), for code that reads them.
// This file sits one folder below the project root, as does the compiled server (dist/server.js) that bundles
// it, so the same relative URL finds the root whether the server runs from source or from the build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The version in package.json, read once at start. */
export const VERSION = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
