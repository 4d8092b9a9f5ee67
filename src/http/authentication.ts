// Who is calling: a bearer token from the Authorization header (never from the URL: see credentials.ts), or nobody. An invalid
// token is refused outright rather than treated as anonymous, so a client learns its credentials are wrong; but not
// here: `authenticate` only notes the refusal, and the rate limiter (rate-limit.ts) throws the 401 once it has
// counted the attempt against the caller's address.
import { hash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Next } from './next.ts';
import { type Action, type Caller, may, roleOf } from '../domain/access.ts';
import { endpoints } from '../links/registry.ts';
import type { TokenStore } from '../store/tokens.ts';
import { Problem } from './problem.ts';
import { requestState } from './request-state.ts';

const CHALLENGE = 'Bearer realm="helpdesk"';

function unauthorized(detail: string, error?: 'invalid_token'): Problem {
  const challenge = error ? `${CHALLENGE}, error="${error}"` : CHALLENGE;
  return new Problem('unauthorized', detail, { headers: { 'WWW-Authenticate': challenge } });
}

/**
 * A secret's SHA-256 as bytes: the configured tokens are compared to it as they are, and only a token looked up
 * in the store needs it in hex (hashSecret's form, src/domain/tokens.ts). One call, no Hash object, no hex.
 */
const digestOf = (secret: string): Buffer => hash('sha256', secret, 'buffer');

/** Compares hashes (of equal length whatever the secrets' lengths) in constant time. */
function sameHash(digest: Buffer, expected: Buffer | undefined): boolean {
  return expected !== undefined && timingSafeEqual(digest, expected);
}

/** The caller with ADMIN_TOKEN, the same object for every request: nothing below changes it. */
const BOOTSTRAP_ADMIN: Caller = Object.freeze({
  kind: 'token',
  tokenId: 'bootstrap',
  name: 'admin (ADMIN_TOKEN)',
  role: 'admin',
  email: null,
});

/** Hashed once: a configured secret does not change while the process runs. */
const hashOf = (secret: string | undefined) => (secret === undefined ? undefined : digestOf(secret));

/** `metricsToken` (METRICS_TOKEN) is a scraper's on /metrics, and unknown anywhere else. */
export function authenticate(tokens: TokenStore, adminToken: string | undefined, metricsToken?: string) {
  const adminHash = hashOf(adminToken);
  const metricsHash = hashOf(metricsToken);
  return async (ctx: Context, next: Next) => {
    const state = requestState(ctx);
    const header = ctx.get('Authorization');
    if (header === '') {
      state.caller = { kind: 'anonymous', address: ctx.ip };
      return next();
    }
    const refuse = (problem: Problem) => {
      // Not thrown yet: the rate limiter counts the attempt against the address first, so guessing tokens
      // costs requests like anything else. See refusedCredentials().
      state.caller = { kind: 'anonymous', address: ctx.ip };
      state.refusedCredentials = problem;
      return next();
    };
    const secret = /^Bearer +([\x21-\x7e]+) *$/i.exec(header)?.[1];
    if (secret === undefined)
      return refuse(unauthorized('The Authorization header must be `Bearer <token>`.', 'invalid_token'));
    const secretHash = digestOf(secret);
    if (sameHash(secretHash, adminHash)) {
      state.caller = BOOTSTRAP_ADMIN;
      return next();
    }
    if (ctx.path === endpoints.metrics.path && sameHash(secretHash, metricsHash)) {
      state.caller = { kind: 'scraper', name: 'scraper (METRICS_TOKEN)', address: ctx.ip };
      return next();
    }
    const token = await tokens.findLive(secretHash.toString('hex'));
    if (!token) return refuse(unauthorized('That token is unknown or was revoked.', 'invalid_token'));
    state.caller = { kind: 'token', tokenId: token.id, name: token.name, role: token.role, email: token.email };
    await next();
  };
}

/** Throws the refusal (401) of the request's credentials, if they were refused: called by the rate limiter, once it has counted the request. */
export function refuseBadCredentials(ctx: Context): void {
  const problem = requestState(ctx).refusedCredentials;
  if (problem) throw problem;
}

export function callerOf(ctx: Context): Caller {
  return requestState(ctx).caller ?? { kind: 'anonymous', address: ctx.ip };
}

/** Refuses an action the caller may not take: 401 for nobody (they may have a token that can), 403 for a role that cannot. */
export function requireAction(ctx: Context, action: Action): Caller {
  const caller = callerOf(ctx);
  if (may(caller, action)) return caller;
  if (caller.kind === 'anonymous') throw unauthorized('Sign in: send a bearer token in the Authorization header.');
  throw new Problem('forbidden', `A ${roleOf(caller)} may not do this (${action}).`);
}
