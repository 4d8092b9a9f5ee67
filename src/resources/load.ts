// The resource an id in the path names, or the problem that says why there is none: 404 when nothing by that id
// exists (or the caller may not learn that it does), 410 when it existed and is gone. Every resource loads so.
import { Problem, notFound } from '../http/problem.ts';
import { parseId } from '../links/references.ts';

export interface Addressed<Found, Live> {
  /** How the 404 calls it: "There is no ticket 7." */
  noun: string;
  find: (id: number) => Promise<Found | undefined>;
  /** False for one the caller may not learn of: it answers 404, exactly like one that never existed. */
  visible?: (found: Found) => boolean;
  /** The resource while it lives, or the 410 that tells what became of it. */
  live: (found: Found) => Live | Problem;
}

export async function loadResource<Found, Live>(
  rawId: string | undefined,
  { noun, find, visible, live }: Addressed<Found, Live>,
): Promise<Live> {
  const id = parseId(rawId);
  const found = id === undefined ? undefined : await find(id);
  if (found === undefined || (visible !== undefined && !visible(found)))
    throw notFound(`There is no ${noun} ${rawId}.`);
  const alive = live(found);
  if (alive instanceof Problem) throw alive;
  return alive;
}

/** A parameter of the matched route's path, as @koa/router decoded it ('' when the route has none by that name). */
export function pathParam(ctx: object, name: string): string {
  // Koa's context types every property it does not declare as `any`; the router sets `params` on it.
  const value: unknown = (ctx as { params?: Record<string, unknown> }).params?.[name];
  return typeof value === 'string' ? value : '';
}

/** The `:id` of the matched route's path. */
export const pathId = (ctx: object): string => pathParam(ctx, 'id');
