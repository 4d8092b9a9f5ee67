// Every answer under /v1/ says that v1 is deprecated, when it goes away, what replaces it and where to read why.
import type { Context, Next } from 'koa';
import { endpoints } from '../../links/registry.ts';

export interface DeprecationSchedule {
  deprecatedAt: Date;
  sunset: Date;
}

/** The current contract's address for a v1 address: the same FAQ, the same collection, or the home document. */
export function successorOf(path: string): string {
  const faq = endpoints.v1Faq.match(path);
  if (faq?.id !== undefined) return endpoints.faq.href({ id: faq.id });
  if (endpoints.v1Faqs.match(path)) return endpoints.faqs.href();
  return endpoints.home.href();
}

export function isV1(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}

export function announceDeprecation(schedule: DeprecationSchedule) {
  // RFC 9745: a structured-field date, seconds since the epoch; RFC 8594: an HTTP date.
  const deprecation = `@${Math.floor(schedule.deprecatedAt.getTime() / 1000)}`;
  const sunset = schedule.sunset.toUTCString();
  const explanation = endpoints.deprecation.href({ name: 'faq-v1' });
  return async (ctx: Context, next: Next) => {
    if (!isV1(ctx.path)) return next();
    try {
      await next();
    } finally {
      ctx.set('Deprecation', deprecation);
      ctx.set('Sunset', sunset);
      ctx.append('Link', [
        `<${successorOf(ctx.path)}>; rel="successor-version"`,
        `<${explanation}>; rel="deprecation"; type="text/html"`,
      ]);
    }
  };
}
