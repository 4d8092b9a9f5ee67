// What the explorer remembers: for this browser tab's session (sessionStorage, so it is gone when the tab
// closes, yet survives a reload) the bearer token, the headers a person added to every request and the media
// type they asked for; and, in memory, the last ETag seen for each URL, sent as If-Match.

const TOKEN_KEY = 'helpdesk-explorer.token';
const HEADERS_KEY = 'helpdesk-explorer.headers';
const ACCEPT_KEY = 'helpdesk-explorer.accept';

function stored(key: string): string {
  try {
    return sessionStorage.getItem(key) ?? '';
  } catch {
    return ''; // storage disabled
  }
}

function store(key: string, value: string): void {
  try {
    if (value === '') sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // storage disabled: the value lasts until the page is left
  }
}

let token = stored(TOKEN_KEY);

export function currentToken(): string {
  return token;
}

export function useToken(value: string): void {
  token = value.trim();
  store(TOKEN_KEY, token);
}

/** A header a person added to every request, as typed (a name and a value). */
export type ExtraHeader = [string, string];

function storedHeaders(): ExtraHeader[] {
  try {
    const parsed: unknown = JSON.parse(stored(HEADERS_KEY) || '[]');
    return Array.isArray(parsed)
      ? parsed.filter(
          (pair): pair is ExtraHeader =>
            Array.isArray(pair) && pair.length === 2 && pair.every((part) => typeof part === 'string'),
        )
      : [];
  } catch {
    return [];
  }
}

let headers = storedHeaders();

export function extraHeaders(): ExtraHeader[] {
  return headers;
}

/** Keeps the headers with a name; the rest (rows left blank) are dropped. */
export function useHeaders(value: ExtraHeader[]): void {
  headers = value.map(([name, text]): ExtraHeader => [name.trim(), text.trim()]).filter(([name]) => name !== '');
  store(HEADERS_KEY, headers.length === 0 ? '' : JSON.stringify(headers));
}

let accept = stored(ACCEPT_KEY);

/** The Accept choice's key (see ACCEPT_CHOICES in http.ts); empty for the default. */
export function acceptChoice(): string {
  return accept;
}

export function useAccept(value: string): void {
  accept = value;
  store(ACCEPT_KEY, value);
}

const etags = new Map<string, string>();

export function rememberETag(url: string, etag: string | null): void {
  if (url !== '' && etag) etags.set(url, etag);
}

export function lastETag(url: string): string | undefined {
  return etags.get(url);
}
