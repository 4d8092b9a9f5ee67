// HTTP for FAQ contract v1: its home, its FAQ collection and FAQs, over the same data as the current API.
import { FAQ_DEFAULTS, FAQ_STATUSES, type Faq } from '../../domain/faqs.ts';
import { may } from '../../domain/access.ts';
import { callerOf, requireAction } from '../../http/authentication.ts';
import { bodyOf } from '../../http/body.ts';
import { invalid } from '../../http/problem.ts';
import { QueryReader, readPageParameters } from '../../http/query.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { validateBody } from '../../http/validation.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';
import { faqOperations } from '../faqs/operations.ts';
import { createV1Faq, patchV1Faq } from './schema.ts';
import { v1FaqCollection, v1FaqResource, v1HomeResource } from './representation.ts';
import type { Context } from 'koa';

/** Fields that came after v1: naming one is a 400 that points the caller at the current contract. */
const NEWER_FIELDS = ['related'];

function refuseNewerFields(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const newer = NEWER_FIELDS.filter((field) => Object.hasOwn(body, field));
  if (newer.length === 0) return;
  throw invalid(
    `"${newer.join('", "')}" is not part of FAQ contract v1. The current contract accepts it: start at / and follow "faqs" (see ${endpoints.deprecation.href({ name: 'faq-v1' })}).`,
    newer.map((field) => ({
      pointer: `#/${field}`,
      detail: 'is not part of contract v1; the current contract at /faqs accepts it',
    })),
  );
}

export function v1Routes(routes: Routes, store: Store): void {
  const operations = faqOperations(store);
  const send = (ctx: Context, faq: Faq, status = 200, location?: string) =>
    sendResource(ctx, v1FaqResource(faq, callerOf(ctx)), { status, version: faq.version, location });

  routes.get(endpoints.v1Home, (ctx) => sendResource(ctx, v1HomeResource()));

  routes.get(endpoints.v1Faqs, async (ctx) => {
    const caller = requireAction(ctx, 'faq:read');
    const query = new QueryReader(ctx);
    const page = readPageParameters(query);
    const listing = { status: query.oneOf('status', FAQ_STATUSES), q: query.text('q', 200) };
    query.done();
    const visible = await store.faqs.list({ ...listing, onlyPublished: !may(caller, 'faq:read-drafts') }, page);
    sendResource(ctx, v1FaqCollection(listing, page, visible, caller));
  });

  routes.post(endpoints.v1Faqs, async (ctx) => {
    requireAction(ctx, 'faq:write');
    const raw = bodyOf(ctx);
    refuseNewerFields(raw);
    const body = validateBody(createV1Faq, raw);
    // v1 names a ticket by its id, looked up among the tickets here (the FAQ service alone has none).
    const { source = null } = await operations.resolve(ctx, body, operations.ticketsHere(ctx));
    const faq = await operations.create({ ...FAQ_DEFAULTS, question: body.question, source });
    send(ctx, faq, 201, endpoints.v1Faq.href({ id: faq.id }));
  });

  routes.get(endpoints.v1Faq, async (ctx) => {
    requireAction(ctx, 'faq:read');
    send(ctx, await operations.load(ctx));
  });

  routes.patch(endpoints.v1Faq, async (ctx) => {
    requireAction(ctx, 'faq:write');
    const raw = bodyOf(ctx);
    refuseNewerFields(raw);
    send(ctx, await operations.change(ctx, validateBody(patchV1Faq, raw)));
  });

  routes.delete(endpoints.v1Faq, async (ctx) => {
    requireAction(ctx, 'faq:write');
    await operations.remove(ctx);
  });
}
