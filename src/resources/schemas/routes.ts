// The JSON Schemas of resources and request bodies, served as application/schema+json: the very objects the
// server validates with, so what a client reads is what the server enforces.
import type { TSchema } from '@sinclair/typebox';
import { absoluteOn, publicOrigin } from '../../http/origin.ts';
import { notFound } from '../../http/problem.ts';
import { type Routes, mediaTypeOf } from '../../http/routing.ts';
import { endpoints } from '../../links/registry.ts';
import { pathParam } from '../load.ts';
import { FaqSchema, createFaq, patchFaq } from '../faqs/schema.ts';
import { TicketSchema, createTicket, mergeTicket, patchTicket } from '../tickets/schema.ts';
import { V1FaqSchema, createV1Faq, patchV1Faq } from '../v1/schema.ts';

export const SCHEMAS: Record<string, TSchema> = {
  ticket: TicketSchema,
  'ticket-create': createTicket.schema,
  'ticket-patch': patchTicket.schema,
  'ticket-merge': mergeTicket.schema,
  faq: FaqSchema,
  'faq-create': createFaq.schema,
  'faq-patch': patchFaq.schema,
  'v1-faq': V1FaqSchema,
  'v1-faq-create': createV1Faq.schema,
  'v1-faq-patch': patchV1Faq.schema,
};

/** A schema as published: self-identifying (by its absolute URI on `origin`), with the dialect named. */
function publishedSchema(name: string, origin = ''): object | undefined {
  const schema = Object.hasOwn(SCHEMAS, name) ? SCHEMAS[name] : undefined;
  if (!schema) return undefined;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: absoluteOn(origin, endpoints.schema.href({ name })),
    ...schema,
  };
}

export function schemaRoutes(routes: Routes): void {
  routes.get(endpoints.schema, (ctx) => {
    const name = pathParam(ctx, 'name');
    const schema = publishedSchema(name, publicOrigin(ctx));
    if (!schema) throw notFound(`There is no schema "${name}".`);
    ctx.type = mediaTypeOf(ctx);
    ctx.body = schema;
  });
}
