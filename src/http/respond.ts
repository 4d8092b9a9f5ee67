// Sends a HAL resource as the client negotiated it: HAL-FORMS templates only when asked for, a version ETag
// per variant, navigation in a Link header, and RFC 7240 `Prefer: return=…` honoured on writes.
import type { Context } from 'koa';
import type { HalResource } from '../links/hal.ts';
import { linkHeader } from '../links/link-header.ts';
import { roleOf } from '../domain/access.ts';
import { callerOf } from './authentication.ts';
import { originTag, versionTag } from './conditional.ts';
import { HAL_FORMS, JSON_TYPE } from './media-types.ts';
import { publicOrigin } from './origin.ts';
import { mediaTypeOf, wantsForms } from './routing.ts';

export interface SendOptions {
  status?: number;
  /** The stored version, for the ETag; resources without one get a hash of the body. */
  version?: number;
  location?: string;
  /** A further ETag variant, when the representation depends on more than the version and the caller. */
  variant?: string;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH']);

/** `return=minimal` or `return=representation` from the Prefer header, if the client stated either. */
function preferredReturn(ctx: Context): 'minimal' | 'representation' | undefined {
  for (const preference of ctx.get('Prefer').split(',')) {
    const value = /^\s*return\s*=\s*"?(minimal|representation)"?\s*(;|$)/i.exec(preference)?.[1];
    if (value !== undefined) return value.toLowerCase() as 'minimal' | 'representation';
  }
  return undefined;
}

/** The ETag variant of each representation of a version: plain HAL has none. */
const VARIANTS: Record<string, string | undefined> = { [HAL_FORMS]: 'forms', [JSON_TYPE]: 'json' };

export function sendResource(ctx: Context, resource: HalResource, options: SendOptions = {}): void {
  const forms = wantsForms(ctx);
  const origin = publicOrigin(ctx);
  const document = resource.toJSON({ templates: forms, origin });
  const status = options.status ?? 200;
  if (options.version !== undefined) {
    // The links and forms a resource shows depend on the caller's role, and every address in it on the origin
    // it was built for, so each role's copy on each origin has its own tag.
    const variant = [VARIANTS[mediaTypeOf(ctx)], roleOf(callerOf(ctx)), options.variant, originTag(origin)]
      .filter(Boolean)
      .join('-');
    ctx.set('ETag', versionTag(options.version, variant));
  }
  if (options.location !== undefined) ctx.set('Location', options.location);
  const links = linkHeader(document._links);
  if (links) ctx.set('Link', links);

  if (WRITES.has(ctx.method)) {
    ctx.vary('Prefer');
    const preference = preferredReturn(ctx);
    if (preference) ctx.set('Preference-Applied', `return=${preference}`);
    if (preference === 'minimal') {
      // The client has what it sent: a create says where the result lives, an accepted job where to watch it
      // (both keep their status), an update that it took.
      ctx.body = null; // before the status: Koa turns an emptied body into 204
      ctx.status = status === 201 || status === 202 ? status : 204;
      return;
    }
  }
  ctx.status = status;
  ctx.type = mediaTypeOf(ctx);
  ctx.body = document;
}
