// Where the explorer is, in the address bar. A HAL resource is shown at its own URL (the server answers a
// browser there with this page), so the address bar holds the API URL itself; anything else is shown at the
// explorer's own URL (/explorer?url=…), which always opens the explorer. Either way a reload, a bookmark or a
// shared link opens the same resource again. Where the API's root and the explorer are comes from the page
// (the server's registry, under its BASE_PATH): this script is the same file at every mount.
import { pathOf } from './http.ts';
import { expand } from './uri-template.ts';

/** Where this server put its home document and the explorer, as the page the script was loaded by names them. */
export interface Places {
  /** The home document's path: `/`, or `/kb/` on a server mounted at /kb. */
  home: string;
  /** The explorer's URI template: `/explorer{?url}`, or `/kb/explorer{?url}`. */
  explorer: string;
}

/** The places the page names on its body (`data-home`, `data-explorer`); a server without a mount's, if it names none. */
export function placesOf(body: HTMLElement): Places {
  return { home: body.dataset.home ?? '/', explorer: body.dataset.explorer ?? '/explorer{?url}' };
}

/** The explorer's own path (its template without a URL to open). */
function explorerPath(places: Places): string {
  return expand(places.explorer, {});
}

/** The API URL the page's address names. */
export function apiUrlOf(page: Location | URL, places: Places): string {
  if (page.pathname === explorerPath(places)) {
    const url = new URLSearchParams(page.search).get('url');
    return url ? pathOf(url) : places.home;
  }
  return page.pathname + page.search;
}

/** The page address that shows `apiUrl`; `hal` says whether it answered as HAL (and so gets the page there). */
export function pageUrlFor(apiUrl: string, hal: boolean, places: Places): string {
  const explorer = explorerPath(places);
  if (hal && apiUrl !== explorer && !apiUrl.startsWith(`${explorer}/`) && !apiUrl.startsWith(`${explorer}?`))
    return apiUrl;
  return expand(places.explorer, { url: apiUrl });
}

/** An API URL from what a person typed: a path on this server, or a full URL of it. Other hosts are refused. */
export function typedApiUrl(typed: string): string | undefined {
  const text = typed.trim();
  if (text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text, location.origin);
  } catch {
    return undefined;
  }
  return url.origin === location.origin ? url.pathname + url.search : undefined;
}
