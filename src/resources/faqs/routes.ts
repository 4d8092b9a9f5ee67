// HTTP for FAQs: the collection and each FAQ. Tickets and other FAQs are named by id or URI.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { FAQ_DEFAULTS, FAQ_STATUSES, type Faq, type FaqFields, whyInconsistent } from '../../domain/faqs.ts';
import { bodyOf } from '../../http/body.ts';
import { versionTag, writeIfCurrent } from '../../http/conditional.ts';
import { sendDocument } from '../../http/negotiation.ts';
import { type FieldError, conflict, gone, invalid, notFound } from '../../http/problem.ts';
import { QueryReader, readPageParameters } from '../../http/query.ts';
import { validateBody } from '../../http/validation.ts';
import { parseId, referencedId } from '../../links/references.ts';
import { endpoints } from '../../links/registry.ts';
import { DuplicateQuestion } from '../../store/faqs.ts';
import type { Store } from '../../store/index.ts';
import { faqCollection, faqResource } from './representation.ts';
import { createFaq, patchFaq, replaceFaq } from './schema.ts';

interface References {
  source?: unknown;
  related?: unknown[];
}

export function faqRoutes(router: Router, store: Store): void {
  const { faqs, tickets } = store;

  async function load(ctx: Context): Promise<Faq> {
    const id = parseId(ctx.params.id);
    const faq = id === undefined ? undefined : await faqs.find(id);
    if (!faq) throw notFound(`There is no FAQ ${ctx.params.id}.`);
    if (faq.deletedAt !== null) throw gone(`FAQ ${faq.id} was deleted.`);
    return faq;
  }

  /** Turns the ids or URIs of a body into ids of live resources, naming every reference that leads nowhere. */
  async function resolve(ctx: Context, body: References, self?: number): Promise<Pick<Partial<FaqFields>, 'source' | 'related'>> {
    const errors: FieldError[] = [];
    const resolved: Pick<Partial<FaqFields>, 'source' | 'related'> = {};
    if (body.source === null) resolved.source = null;
    else if (body.source !== undefined) {
      const id = referencedId(body.source, endpoints.ticket, ctx.URL.origin);
      const ticket = id === undefined ? undefined : await tickets.find(id);
      if (!ticket || ticket.deletedAt !== null) errors.push({ pointer: '#/source', detail: 'names no ticket' });
      else resolved.source = ticket.id;
    }
    if (body.related !== undefined) {
      const ids = body.related.map((value) => referencedId(value, endpoints.faq, ctx.URL.origin));
      const live = await faqs.liveIds(ids.filter((id): id is number => id !== undefined));
      ids.forEach((id, index) => {
        if (id === undefined || !live.has(id)) errors.push({ pointer: `#/related/${index}`, detail: 'names no FAQ' });
        else if (id === self) errors.push({ pointer: `#/related/${index}`, detail: 'is this FAQ itself' });
        else if (ids.indexOf(id) !== index) errors.push({ pointer: `#/related/${index}`, detail: 'repeats an earlier FAQ' });
      });
      resolved.related = ids as number[];
    }
    if (errors.length > 0) throw invalid('Some references lead nowhere.', errors);
    return resolved;
  }

  function sendFaq(ctx: Context, faq: Faq, status = 200): void {
    ctx.set('ETag', versionTag(faq.version));
    sendDocument(ctx, faqResource(faq).toJSON(), status);
  }

  async function refuseDuplicates<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof DuplicateQuestion) throw conflict(`An FAQ already asks "${error.question}" (ignoring case and spaces).`);
      throw error;
    }
  }

  /** A whole FAQ from a create or replace body: it must hold together on its own, so a breach is a 400. */
  async function wholeFaq(ctx: Context, body: typeof createFaq.schema.static, self?: number): Promise<FaqFields> {
    const fields: FaqFields = { ...FAQ_DEFAULTS, ...body, question: body.question.trim(), ...(await resolve(ctx, body, self)) } as FaqFields;
    const reason = whyInconsistent(fields);
    if (reason) throw invalid(reason, [{ pointer: '#/status', detail: 'needs an answer to be published' }]);
    return fields;
  }

  router.get(endpoints.faqs.routePath, async (ctx) => {
    const query = new QueryReader(ctx);
    const page = readPageParameters(query);
    const listing = {
      status: query.oneOf('status', FAQ_STATUSES),
      q: query.text('q', 200),
      source: query.custom('source', 'must name a ticket, by id or URI', (raw) => referencedId(raw, endpoints.ticket, ctx.URL.origin)),
    };
    query.done();
    sendDocument(ctx, faqCollection(listing, page, await faqs.list(listing, page)).toJSON());
  });

  router.post(endpoints.faqs.routePath, async (ctx) => {
    const fields = await wholeFaq(ctx, validateBody(createFaq, bodyOf(ctx)));
    const faq = await refuseDuplicates(() => faqs.create(fields));
    ctx.set('Location', endpoints.faq.href({ id: faq.id }));
    sendFaq(ctx, faq, 201);
  });

  router.get(endpoints.faq.routePath, async (ctx) => sendFaq(ctx, await load(ctx)));

  router.put(endpoints.faq.routePath, async (ctx) => {
    const body = validateBody(replaceFaq, bodyOf(ctx));
    const current = await load(ctx);
    const fields = await wholeFaq(ctx, body, current.id);
    const faq = await refuseDuplicates(() =>
      writeIfCurrent(ctx, () => load(ctx), (latest) => faqs.update(latest.id, latest.version, fields)),
    );
    sendFaq(ctx, faq);
  });

  router.patch(endpoints.faq.routePath, async (ctx) => {
    const body = validateBody(patchFaq, bodyOf(ctx));
    const current = await load(ctx);
    const changes: Partial<FaqFields> = { ...body, ...(await resolve(ctx, body, current.id)) } as Partial<FaqFields>;
    if (changes.question !== undefined) changes.question = changes.question.trim();
    const faq = await refuseDuplicates(() =>
      writeIfCurrent(ctx, () => load(ctx), (latest) => {
        const reason = whyInconsistent({ ...latest, ...changes });
        if (reason) throw conflict(reason);
        return faqs.update(latest.id, latest.version, changes);
      }),
    );
    sendFaq(ctx, faq);
  });

  router.delete(endpoints.faq.routePath, async (ctx) => {
    await writeIfCurrent(ctx, () => load(ctx), (current) => faqs.markDeleted(current.id, current.version));
    ctx.status = 204;
  });
}
