// The home document: the one URL a client knows. Everything else is reached from its links.
import { type Caller, may } from '../../domain/access.ts';
import { HalResource } from '../../links/hal.ts';
import { endpoints } from '../../links/registry.ts';
import { CUSTOM_RELATIONS, RELATIONS } from '../../links/relations.ts';

/** The links depend on who asks: nobody is shown a door they may not open. */
export function homeResource(caller: Caller): HalResource {
  const home = new HalResource(
    { name: 'Helpdesk', description: 'Tickets customers report, and the FAQs that answer them. Follow the links.' },
    endpoints.home.href(),
  );
  if (may(caller, 'ticket:list')) {
    home
      .link('tickets', { href: endpoints.tickets.template, title: 'Tickets, filtered and paged' })
      .link('ticket', { href: endpoints.ticket.template, title: 'One ticket by id' });
  }
  if (may(caller, 'ticket:import')) home.link('imports', { href: endpoints.imports.template, title: 'Bulk imports of tickets' });
  if (may(caller, 'token:manage')) home.link('tokens', { href: endpoints.tokens.template, title: 'Access tokens' });
  return home
    .link('faqs', { href: endpoints.faqs.template, title: 'FAQs, filtered and paged' })
    .link('faq', { href: endpoints.faq.template, title: 'One FAQ by id' })
    .link('search', { href: endpoints.search.template, title: 'Search tickets and FAQs' })
    .linkArray(
      'help',
      CUSTOM_RELATIONS.map((rel) => ({ href: endpoints.relation.href({ rel }), name: rel, title: RELATIONS[rel]!.summary, type: 'text/html' })),
    );
}
