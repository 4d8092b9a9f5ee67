// Headers every answer carries: no MIME sniffing, caches keyed by credentials, and nothing a caller
// authenticated for is stored by any cache.
import type { Context, Next } from 'koa';
import { callerOf } from './authentication.ts';

export async function securityHeaders(ctx: Context, next: Next) {
  try {
    await next();
  } finally {
    ctx.set('X-Content-Type-Options', 'nosniff');
    // What a resource shows depends on who asks (links, templates, visible items).
    ctx.vary('Authorization');
    if (callerOf(ctx).kind === 'token' || ctx.get('Authorization') !== '') ctx.set('Cache-Control', 'no-store');
  }
}
