// Entity tags and conditional requests: 304 for a current If-None-Match, 412 for a stale If-Match.
import { createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import { preconditionFailed } from './problem.ts';
import { span } from './spans.ts';

/**
 * The tag of a stored resource's version: it changes on every write, so If-Match can guard writes. Each
 * representation of a version (plain JSON, HAL-FORMS) gets its own strong tag, as RFC 9110 asks.
 */
export function versionTag(version: number, variant?: string): string {
  return variant ? `"v${version}-${variant}"` : `"v${version}"`;
}

/** Tags of the origins seen, kept: a server answers to few origins, yet any port may be named. */
const originTags = new Map<string, string>();

/** A short tag of the origin a representation's addresses are built on, for its version tags. */
export function originTag(origin: string): string {
  let tag = originTags.get(origin);
  if (tag === undefined) {
    tag = `o${createHash('sha256').update(origin).digest('hex').slice(0, 8)}`;
    if (originTags.size >= 256) originTags.clear();
    originTags.set(origin, tag);
  }
  return tag;
}

const VERSION_TAG = /^"v(\d+)(?:-([a-z0-9-]+))?"$/;

/** A tag for a body without a stored version: a hash of its bytes and of its media type. */
function contentTag(serialised: string, mediaType: string): string {
  return `"h${createHash('sha1').update(mediaType).update('\n').update(serialised).digest('base64url')}"`;
}

/** If-None-Match by weak comparison (RFC 9110 13.1.2): does the client already hold this representation? */
function clientHolds(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.replace(/^W\//, '');
  return listedTags(ifNoneMatch).some((tag) => opaque(tag) === opaque(etag));
}

function listedTags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/**
 * Refuses a write whose If-Match names no current tag of the resource (strong comparison, as RFC 9110 asks;
 * a weak tag never matches). Without If-Match the write goes ahead.
 */
function checkIfMatch(ctx: Context, version: number): void {
  const header = ctx.get('If-Match');
  if (header === '') return;
  const tags = listedTags(header);
  if (tags.includes('*') || tags.some((tag) => VERSION_TAG.exec(tag)?.[1] === String(version))) return;
  // Named as the client would see it now: the same representation ("v3-agent" becomes "v4-agent"), not a tag
  // of another one it never held.
  const variant = tags.map((tag) => VERSION_TAG.exec(tag)?.[2]).find((found) => found !== undefined);
  throw preconditionFailed(
    `The resource is at ${versionTag(version, variant)}, not ${header}: it changed since you read it. GET it again, then retry.`,
  );
}

/**
 * Serialises an object body to JSON text and, unless a handler set a version tag, tags it by a hash of its
 * bytes. Done once per answer: by conditionalGet, or earlier by whatever needs the finished bytes (AnswerCache).
 */
export function serialise(ctx: Context): void {
  span('serialisation', () => serialiseNow(ctx));
}

function serialiseNow(ctx: Context): void {
  if (ctx.body != null && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body) && !('pipe' in ctx.body)) {
    ctx.body = JSON.stringify(ctx.body);
  }
  if (typeof ctx.body === 'string' && !ctx.response.get('ETag')) ctx.set('ETag', contentTag(ctx.body, ctx.type));
}

/**
 * Gives every successful GET an ETag (the version tag a handler set, or a hash of the body) and answers 304
 * when the client's copy is current. Bodies are serialised here once, so the hash costs no second stringify.
 */
export function conditionalGet() {
  return async (ctx: Context, next: Next) => {
    await next();
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.status !== 200 || ctx.body == null) return;
    serialise(ctx);
    // Not Koa's ctx.fresh: it refuses 304 whenever the request says Cache-Control: no-cache, which browsers'
    // fetch adds to every conditional request; that directive is for caches, and revalidating is what 304 is.
    const etag = ctx.response.get('ETag');
    const ifNoneMatch = ctx.get('If-None-Match');
    if (etag && ifNoneMatch && clientHolds(ifNoneMatch, etag)) ctx.status = 304;
  };
}

/**
 * A write guarded by the resource's version: loads the current state, honours If-Match, and lets `write`
 * apply only if nothing changed meanwhile. Without If-Match a lost race is retried on fresh state (the rules
 * are checked again); with it, the client gets 412, since what it saw is no longer current.
 */
export async function writeIfCurrent<T extends { version: number }>(
  ctx: Context,
  load: () => Promise<T>,
  write: (current: T) => Promise<T | undefined>,
): Promise<T> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await load();
    checkIfMatch(ctx, current.version);
    const written = await write(current);
    if (written) return written;
  }
  throw preconditionFailed('The resource kept changing while this request tried to write it; retry.');
}
