// Where the explorer is, in the address bar. A HAL resource is shown at its own URL (the server answers a
// browser there with this page), so the address bar holds the API URL itself; anything else is shown at
// /explorer?url=…, which always opens the explorer. Either way a reload, a bookmark or a shared link opens
// the same resource again.
import { pathOf } from './http.ts';

export const EXPLORER = '/explorer';

/** The API URL the page's address names. */
export function apiUrlOf(page: Location | URL): string {
  if (page.pathname === EXPLORER) {
    const url = new URLSearchParams(page.search).get('url');
    return url ? pathOf(url) : '/';
  }
  return page.pathname + page.search;
}

/** The page address that shows `apiUrl`; `hal` says whether it answered as HAL (and so gets the page there). */
export function pageUrlFor(apiUrl: string, hal: boolean): string {
  if (hal && apiUrl !== EXPLORER && !apiUrl.startsWith(`${EXPLORER}/`) && !apiUrl.startsWith(`${EXPLORER}?`)) return apiUrl;
  return `${EXPLORER}?url=${encodeURIComponent(apiUrl)}`;
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
