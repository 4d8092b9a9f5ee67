// The prefix every path is mounted under (BASE_PATH), handed over by the process entry from its configuration
// before the URI registry is loaded: the registry expands templates as it loads (the forms' option links), so the
// mount must be known by then, and is fixed for the life of the process.
let mount: string | undefined;

/** Sets the mount from the configuration (src/main.ts); setting another once the registry has fixed it is a bug. */
export function setMount(basePath: string): void {
  if (mount !== undefined && mount !== basePath)
    throw new Error(`the mount is already "${mount}", cannot move it to "${basePath}"`);
  mount = basePath;
}

/** The mount, fixed at its first reading: '' (the root) when no entry set one, as in tests run in-process. */
export function fixedMount(): string {
  mount ??= '';
  return mount;
}
