// The ticket bodies a caller may send: the full ones for those who may assign, narrower ones for requesters.
import { type Caller, privilegedTicketFields } from '../../domain/access.ts';
import { withoutFields } from '../../http/validation.ts';
import { createTicket, patchTicket, replaceTicket } from './schema.ts';

export function ticketBodies(caller: Caller) {
  const privileged = privilegedTicketFields(caller);
  return {
    create: withoutFields(createTicket, privileged),
    replace: withoutFields(replaceTicket, privileged),
    patch: withoutFields(patchTicket, privileged),
  };
}
