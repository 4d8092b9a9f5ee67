// Where a ticket's FAQs live: in this process (the single server), or in the FAQ service (the ticket service
// alone). Either way a ticket gets a `faqs` link and can be promoted; only how differs.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { Caller } from '../../domain/access.ts';
import type { Faq } from '../../domain/faqs.ts';
import type { Ticket } from '../../domain/tickets.ts';
import { absoluteOn, publicOrigin } from '../../http/origin.ts';
import { conflict } from '../../http/problem.ts';
import { sendResource } from '../../http/respond.ts';
import { mediaTypeOf, wantsForms } from '../../http/routing.ts';
import { endpoints } from '../../links/registry.ts';
import type { FaqService } from '../../remote/faq-service.ts';
import { RemoteFailure, resolveHref } from '../../remote/hypermedia.ts';
import { problemFor } from '../../remote/problems.ts';
import type { Store } from '../../store/index.ts';
import { faqOperations } from '../faqs/operations.ts';
import { faqResource } from '../faqs/representation.ts';

/** A ticket's `faqs` link as this request knows it, and an ETag variant that changes when the link does. */
export interface FaqLinks {
  faqsOf: (ticket: Ticket) => string | undefined;
  variant: string | undefined;
}

export interface FaqSide {
  links(ctx: Context): Promise<FaqLinks>;
  /** Answers a promote of a live, unmerged ticket: 201 with the new FAQ, or 303 to the one made before. */
  promote(ctx: Context, ticket: Ticket, caller: Caller): Promise<void>;
}

function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.set('Location', location);
}

/** The single server: FAQs in the same store, the `faqs` link a relative URI. */
export function localFaqs(store: Store): FaqSide {
  const { faqs } = store;
  const operations = faqOperations(store);
  const links: FaqLinks = { faqsOf: (ticket) => endpoints.faqs.href({ source: ticket.id }), variant: undefined };
  return {
    links: async () => links,
    async promote(ctx, ticket, caller) {
      const existing = await faqs.findBySource(ticket.id);
      if (existing) return seeOther(ctx, endpoints.faq.href({ id: existing.id }));
      let faq: Faq;
      try {
        faq = await operations.create({
          question: ticket.title,
          answer: null,
          status: 'draft',
          source: ticket.id,
          related: [],
        });
      } catch (error) {
        // A promote of the same ticket sent at once may have committed between our look and our insert (on
        // PostgreSQL the look cannot see it until then): its FAQ is the answer, as if we had come second.
        const winner = await faqs.findBySource(ticket.id);
        if (winner) return seeOther(ctx, endpoints.faq.href({ id: winner.id }));
        throw error;
      }
      sendResource(ctx, faqResource(faq, caller), {
        status: 201,
        version: faq.version,
        location: endpoints.faq.href({ id: faq.id }),
      });
    },
  };
}

/**
 * This service's absolute URI of a ticket, on the request's public origin: PUBLIC_URL's, or else a host the
 * server answers to (never one a client made up: the FAQ service keeps this URI).
 */
function ticketUri(ctx: Context, ticket: Pick<Ticket, 'id'>): string {
  return absoluteOn(publicOrigin(ctx), endpoints.ticket.href({ id: ticket.id }));
}

/**
 * The ticket service alone: the FAQ service is reached through its contract. No "promoted" mark is kept
 * here: the FAQ holds its ticket's URI, so the FAQ service alone knows, and there is nothing to disagree.
 */
export function remoteFaqs(service: FaqService): FaqSide {
  return {
    async links(ctx) {
      let template: string;
      try {
        template = (await service.entryPoints()).faqs;
      } catch (error) {
        // Tickets keep working while the FAQ service is away. They keep their `faqs` link from the last home
        // document known (see HOME_STALE_IF_ERROR_MS); only with none, or a wrong answer, do they show none.
        if (!(error instanceof RemoteFailure)) throw error;
        return { faqsOf: () => undefined, variant: 'faqs-unknown' };
      }
      const variant = `faqs-${createHash('sha256').update(template).digest('hex').slice(0, 8)}`;
      return { faqsOf: (ticket) => resolveHref(template, service.root, { source: ticketUri(ctx, ticket) }), variant };
    },
    async promote(ctx, ticket) {
      let promotion;
      try {
        promotion = await service.promote(ticketUri(ctx, ticket), ticket.title.trim());
      } catch (error) {
        throw problemFor(error, 'FAQ service');
      }
      if (promotion.outcome === 'exists') return seeOther(ctx, promotion.url);
      if (promotion.outcome === 'refused') throw conflict(promotion.detail);
      ctx.status = 201;
      ctx.set('Location', promotion.url);
      if (promotion.document) {
        const { _templates, ...plain } = promotion.document;
        ctx.type = mediaTypeOf(ctx);
        ctx.body = wantsForms(ctx) ? promotion.document : plain;
      }
    },
  };
}
