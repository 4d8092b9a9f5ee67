// The ticket bodies a caller may send: the full ones for those who may assign, narrower ones for requesters;
// and reading one, with its tags made a list whichever form they came in.
import type { TObject } from '@sinclair/typebox';
import { type Caller, normaliseEmail, privilegedTicketFields } from '../../domain/access.ts';
import { TICKET_DEFAULTS, type TicketFields } from '../../domain/tickets.ts';
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
  // One copy, changed in place (a rest pattern and a spread after it made two, on every create).
  const read = { ...body } as WithTagList<B>;
  if (read.requester !== undefined) read.requester = normaliseEmail(read.requester);
  if (body.tags !== undefined) read.tags = tagList(body.tags);
  return read;
}

/**
 * A create's fields: what the body gives, the defaults for what it leaves out (as `{ ...TICKET_DEFAULTS, ...body }`
 * would), built field by field: spreading the two objects cost every create about 3 µs.
 */
export function newTicketFields(body: WithTagList<TicketCreateBody>, requester: string): TicketFields {
  const given = <K extends keyof typeof TICKET_DEFAULTS>(name: K) =>
    body[name] === undefined ? TICKET_DEFAULTS[name] : (body[name] as TicketFields[K]);
  return {
    title: body.title,
    description: given('description'),
    status: given('status'),
    priority: given('priority'),
    requester,
    assignee: given('assignee'),
    tags: given('tags'),
  };
}
