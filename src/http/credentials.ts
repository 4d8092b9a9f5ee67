// Credentials in URLs: refused before anything else looks at the request, and masked wherever a URL is logged.
// A URL travels into access logs, proxies' logs, browser histories and Referer headers; a secret in one has leaked
// whether or not we accept it, so we never accept one, and never write one down ourselves.
import type { Context } from 'koa';
import { invalid } from './problem.ts';

/**
 * A query parameter named like a credential, in any case, with `-` or `_`, alone or as the end of a longer name
 * (`access_token`, `Api-Key`, `client_secret`, `refresh_token`), and `name[]` as some clients write lists.
 */
const CREDENTIAL_NAME = /(?:^|_)(?:token|api_?key|bearer|passw(?:or)?d|secret)$/;

function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name.toLowerCase().replaceAll('-', '_').replace(/\[\]$/, ''));
}

/** What stands for a masked value in logs. */
const REDACTED = '[REDACTED]';

/** Any query string that might name a credential: the others (nearly all) skip the parse below. */
const MIGHT_NAME_ONE = /token|api|bearer|passw|secret|%/i;

/**
 * The URL (path and query, as Koa's `ctx.url`) with the value of every credential-like parameter replaced by
 * `[REDACTED]`; everything else as it came. Names are decoded as Koa decodes them (URLSearchParams), so
 * `acc%65ss_token` is caught as the refusal catches it.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const query = url.slice(mark + 1);
  if (!MIGHT_NAME_ONE.test(query)) return url;
  const pieces = query.split('&').map((piece) => {
    const name = new URLSearchParams(piece).keys().next().value;
    if (name === undefined || !isCredentialName(name)) return piece;
    const equals = piece.indexOf('=');
    return `${equals === -1 ? piece : piece.slice(0, equals)}=${REDACTED}`;
  });
  return `${url.slice(0, mark)}?${pieces.join('&')}`;
}

/**
 * Refuses (400, naming each parameter) a request that carries a credential in its query, whatever the route:
 * tokens go in `Authorization: Bearer …`, and an API that accepted one in the URL would teach clients to leak it.
 */
export function refuseCredentialsInQuery(ctx: Context): void {
  // Most queries name nothing like a credential: they skip parsing here (the route parses its own).
  if (!MIGHT_NAME_ONE.test(ctx.querystring)) return;
  const named = Object.keys(ctx.query).filter(isCredentialName);
  if (named.length > 0) {
    throw invalid(
      'Credentials in URLs leak into logs and histories, so they are never accepted: send a token as `Authorization: Bearer <token>`.',
      named.map((parameter) => ({ parameter, detail: 'must not carry a credential' })),
    );
  }
}
