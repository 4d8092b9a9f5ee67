// What the explorer remembers: the bearer token for this browser tab's session (sessionStorage, so it is
// gone when the tab closes, yet survives a reload), and the last ETag seen for each URL, sent as If-Match.

const TOKEN_KEY = 'helpdesk-explorer.token';

function stored(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return ''; // storage disabled
  }
}

let token = stored();

export function currentToken(): string {
  return token;
}

export function useToken(value: string): void {
  token = value.trim();
  try {
    if (token === '') sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the token lasts until the page is left
  }
}

const etags = new Map<string, string>();

export function rememberETag(url: string, etag: string | null): void {
  if (url !== '' && etag) etags.set(url, etag);
}

export function lastETag(url: string): string | undefined {
  return etags.get(url);
}
