// Who is calling: a bearer token from the Authorization header (never from the URL), or nobody. An invalid
// token is refused outright rather than treated as anonymous, so a client learns its credentials are wrong.
import { timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { type Action, type Caller, may } from '../domain/access.ts';
import { hashSecret } from '../domain/tokens.ts';
import type { TokenStore } from '../store/tokens.ts';
import { Problem, invalid } from './problem.ts';

const QUERY_TOKEN_NAMES = ['access_token', 'token', 'api_key', 'apikey', 'bearer'];
const CHALLENGE = 'Bearer realm="helpdesk"';

export function unauthorized(detail: string, error?: 'invalid_token'): Problem {
  const challenge = error ? `${CHALLENGE}, error="${error}"` : CHALLENGE;
  return new Problem('unauthorized', detail, { headers: { 'WWW-Authenticate': challenge } });
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(hashSecret(a), 'hex');
  const right = Buffer.from(hashSecret(b), 'hex');
  return timingSafeEqual(left, right);
}

export function authenticate(tokens: TokenStore, adminToken: string | undefined) {
  return async (ctx: Context, next: Next) => {
    const inQuery = QUERY_TOKEN_NAMES.filter((name) => ctx.query[name] !== undefined);
    if (inQuery.length > 0) {
      throw invalid('Tokens in URLs leak into logs and histories, so they are never accepted: send it as `Authorization: Bearer <token>`.', inQuery.map((parameter) => ({ parameter, detail: 'must not carry a token' })));
    }
    const header = ctx.get('Authorization');
    if (header === '') {
      ctx.state.caller = { kind: 'anonymous', address: ctx.ip } satisfies Caller;
      return next();
    }
    const refuse = (problem: Problem) => {
      // Not thrown yet: the rate limiter counts the attempt against the address first, so guessing tokens
      // costs requests like anything else. See refusedCredentials().
      ctx.state.caller = { kind: 'anonymous', address: ctx.ip } satisfies Caller;
      ctx.state.refusedCredentials = problem;
      return next();
    };
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
    if (!match) return refuse(unauthorized('The Authorization header must be `Bearer <token>`.', 'invalid_token'));
    const secret = match[1]!;
    if (adminToken !== undefined && sameSecret(secret, adminToken)) {
      ctx.state.caller = { kind: 'token', tokenId: 'bootstrap', name: 'admin (ADMIN_TOKEN)', role: 'admin', email: null } satisfies Caller;
      return next();
    }
    const token = await tokens.findLive(hashSecret(secret));
    if (!token) return refuse(unauthorized('That token is unknown or was revoked.', 'invalid_token'));
    ctx.state.caller = { kind: 'token', tokenId: token.id, name: token.name, role: token.role, email: token.email } satisfies Caller;
    await next();
  };
}

/** Throws the refusal of the request's credentials, if they were refused (after the rate limiter ran). */
export function refuseBadCredentials(ctx: Context): void {
  const problem = ctx.state.refusedCredentials as Problem | undefined;
  if (problem) throw problem;
}

export function callerOf(ctx: Context): Caller {
  return (ctx.state.caller as Caller | undefined) ?? { kind: 'anonymous', address: ctx.ip };
}

/** Refuses an action the caller may not take: 401 for nobody (they may have a token that can), 403 for a role that cannot. */
export function requireAction(ctx: Context, action: Action): Caller {
  const caller = callerOf(ctx);
  if (may(caller, action)) return caller;
  if (caller.kind === 'anonymous') throw unauthorized('Sign in: send a bearer token in the Authorization header.');
  throw new Problem('forbidden', `A ${caller.role} may not do this (${action}).`);
}
