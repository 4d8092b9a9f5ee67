// The ticket bodies a caller may send: the full ones for those who may assign, narrower ones for requesters;
// and reading one, with its tags made a list whichever form they came in.
import type { TObject } from '@sinclair/typebox';
import { type Caller, normaliseEmail, privilegedTicketFields } from '../../domain/access.ts';
import { type BodyDescription, validateBody, withoutFields } from '../../http/validation.ts';
import { type TicketCreateBody, type TicketPatchBody, createTicket, patchTicket, tagList } from './schema.ts';

export function ticketBodies(caller: Caller) {
  const privileged = privilegedTicketFields(caller);
  return {
    create: withoutFields(createTicket, privileged),
    replace: withoutFields(createTicket, privileged) /* PUT: a whole ticket, as a create */,
    patch: withoutFields(patchTicket, privileged),
  };
}

type WithTagList<T> = Omit<T, 'tags'> & { tags?: string[] };

/** Validates a ticket body and gives its tags as a list. */
export function readTicketBody<S extends TObject, B extends TicketCreateBody | TicketPatchBody>(
  description: BodyDescription<S>,
  raw: unknown,
): WithTagList<B> {
  const body = validateBody(description, raw) as unknown as B;
  const { tags, ...rest } = body;
  if (rest.requester !== undefined) rest.requester = normaliseEmail(rest.requester);
  return tags === undefined ? rest : { ...rest, tags: tagList(tags) };
}
