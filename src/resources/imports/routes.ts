// HTTP for bulk imports: submit one (202 with the job's address), list them, watch one, and read the
// problems of the rows it refused. Agents and admins only.
import type { Context } from 'koa';
import type { Caller } from '../../domain/access.ts';
import { type ImportJob, isUnfinished } from '../../domain/imports.ts';
import { requireAction } from '../../http/authentication.ts';
import { absoluteOn, publicOrigin } from '../../http/origin.ts';
import { gone, notFound } from '../../http/problem.ts';
import { QueryReader, readPageParameters } from '../../http/query.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { parseId } from '../../links/references.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';
import { timeSlices } from '../../time-slices.ts';
import { loadResource, pathParam } from '../load.ts';
import { readImportRows } from './body.ts';
import { importCollection, importResource, pace, rejectionCollection, rejectionResource } from './representation.ts';

export interface ImportRouteOptions {
  /** How often workers look for work: a client polling more often than that learns nothing new. */
  pollMs: number;
}

/**
 * When an unfinished job is worth asking about again, in whole seconds: a queued one when the workers next
 * look; a running one at its expected end, yet no later than that interval either, so a poller sees it move.
 */
export function retryAfterSeconds(job: Pick<ImportJob, 'state'>, secondsLeft: number | null, pollMs: number): number {
  const untilClaimed = Math.max(1, Math.ceil(pollMs / 1000));
  if (job.state === 'queued' || secondsLeft === null) return untilClaimed;
  return Math.min(untilClaimed, Math.max(1, Math.ceil(secondsLeft)));
}

const submitter = (caller: Caller) => (caller.kind === 'token' ? caller.name : 'anonymous');

/** The job at the address; a job past its retention is gone (410), its tickets still where they were. */
function loadJob(imports: Store['imports'], ctx: Context): Promise<ImportJob> {
  return loadResource(pathParam(ctx, 'id'), {
    noun: 'import',
    find: (id) => imports.find(id),
    live: (job) => {
      if (!('expired' in job)) return job;
      const tickets = absoluteOn(publicOrigin(ctx), endpoints.tickets.href({ import: job.id }));
      return gone(
        `Import ${job.id} ended on ${job.finishedAt}, and its record (progress and refused rows) has since been removed. The tickets it created remain: ${tickets}.`,
        { tickets },
      );
    },
  });
}

/** A job's representation: with when to ask again while it is unfinished, and where it lives when just taken. */
function sendJob(ctx: Context, job: ImportJob, { pollMs, status = 200 }: { pollMs: number; status?: 200 | 202 }): void {
  const now = Date.now();
  if (isUnfinished(job)) ctx.set('Retry-After', String(retryAfterSeconds(job, pace(job, now).secondsLeft, pollMs)));
  const href = endpoints.import.href({ id: job.id });
  if (status === 202) ctx.set('Content-Location', href);
  // A started, unfinished job's rate and time left are measured up to now, so its version does not name its
  // bytes: it is tagged by a hash of them instead, and a conditional GET is a 304 only when nothing moved.
  const measuredToNow = isUnfinished(job) && job.startedAt !== null;
  const version = measuredToNow ? undefined : job.version;
  sendResource(ctx, importResource(job, now), { status, version, location: status === 202 ? href : undefined });
}

export function importRoutes(routes: Routes, store: Store, { pollMs }: ImportRouteOptions): void {
  const { imports } = store;
  const load = (ctx: Context) => loadJob(imports, ctx);

  routes.get(endpoints.imports, async (ctx) => {
    requireAction(ctx, 'ticket:import');
    const query = new QueryReader(ctx);
    const page = readPageParameters(query);
    query.done();
    sendResource(ctx, importCollection(page, await imports.list(page), Date.now()));
  });

  // Reads its own body (NDJSON too, up to 10 MB: ./body.ts), not the shared JSON reader's 100 kB of JSON.
  routes.post(
    endpoints.imports,
    async (ctx) => {
      const caller = requireAction(ctx, 'ticket:import');
      const rows = await readImportRows(ctx);
      sendJob(ctx, await imports.submit(submitter(caller), rows, timeSlices()), { pollMs, status: 202 });
    },
    { ownBody: true },
  );

  routes.get(endpoints.import, async (ctx) => {
    requireAction(ctx, 'ticket:import');
    sendJob(ctx, await load(ctx), { pollMs });
  });

  routes.get(endpoints.importRejections, async (ctx) => {
    requireAction(ctx, 'ticket:import');
    const job = await load(ctx);
    const query = new QueryReader(ctx);
    const page = readPageParameters(query);
    query.done();
    sendResource(ctx, rejectionCollection(job.id, page, await imports.rejections(job.id, page)));
  });

  routes.get(endpoints.importRejection, async (ctx) => {
    requireAction(ctx, 'ticket:import');
    const job = await load(ctx);
    const rowParam = pathParam(ctx, 'row');
    const row = parseId(rowParam);
    const problem = row === undefined ? undefined : await imports.rejection(job.id, row);
    if (!problem) throw notFound(`Row ${rowParam} of import ${job.id} was not refused (or there is no such row).`);
    sendResource(ctx, rejectionResource(job.id, problem));
  });
}
