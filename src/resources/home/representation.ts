// The home document: the one URL a client knows. Everything else is reached from its links.
import { type Caller, may } from '../../domain/access.ts';
import { HalResource } from '../../links/hal.ts';
import { endpoints } from '../../links/registry.ts';
import { CUSTOM_RELATIONS, RELATIONS } from '../../links/relations.ts';
import { HTML, OPENAPI_JSON } from '../../http/media-types.ts';

/** Where FAQs are: this process's own templates, or the FAQ service's (absolute), or unknown right now. */
export interface FaqCollections {
  faqs: string;
  faq: string | undefined;
}

export interface HomeContents {
  /** Whether this process serves tickets. */
  tickets: boolean;
  faqs: FaqCollections | undefined;
}

export const LOCAL_FAQS: FaqCollections = { faqs: endpoints.faqs.template, faq: endpoints.faq.template };

const DESCRIPTIONS = {
  both: 'Tickets customers report, and the FAQs that answer them. Follow the links.',
  tickets: 'Tickets customers report; the FAQs that answer them are a link away, on the FAQ service. Follow the links.',
  faqs: 'The FAQs that answer what customers ask. Follow the links.',
};

/** RFC 8631: where tools read the API's description (OpenAPI), and where people read what its relations mean. */
export function describedFor(home: HalResource): HalResource {
  return home
    .link('service-desc', {
      href: endpoints.openapi.href(),
      type: OPENAPI_JSON,
      title: 'OpenAPI description of this API',
    })
    .link('service-doc', { href: endpoints.relations.href(), type: HTML, title: 'What each relation means' });
}

/** The links depend on who asks: nobody is shown a door they may not open. */
export function homeResource(caller: Caller, contents: HomeContents): HalResource {
  const kind = !contents.tickets ? 'faqs' : contents.faqs === LOCAL_FAQS ? 'both' : 'tickets';
  const home = new HalResource(
    { name: kind === 'faqs' ? 'Helpdesk FAQs' : 'Helpdesk', description: DESCRIPTIONS[kind] },
    endpoints.home.href(),
  );
  if (contents.tickets && may(caller, 'ticket:list')) {
    home
      .link('tickets', { href: endpoints.tickets.template, title: 'Tickets, filtered and paged' })
      .link('ticket', { href: endpoints.ticket.template, title: 'One ticket by id' });
  }
  if (contents.tickets && may(caller, 'ticket:import'))
    home.link('imports', { href: endpoints.imports.template, title: 'Bulk imports of tickets' });
  if (may(caller, 'token:manage')) home.link('tokens', { href: endpoints.tokens.template, title: 'Access tokens' });
  if (contents.faqs) {
    home.link('faqs', { href: contents.faqs.faqs, title: 'FAQs, filtered and paged' });
    if (contents.faqs.faq) home.link('faq', { href: contents.faqs.faq, title: 'One FAQ by id' });
  }
  const searched =
    kind === 'both'
      ? 'Search tickets and FAQs'
      : kind === 'faqs'
        ? 'Search FAQs'
        : "Search tickets (FAQs: the FAQ service's search)";
  // Help for the relations this caller may follow: a door they may not open needs no explaining.
  const followed = CUSTOM_RELATIONS.filter((rel) => {
    const needs = RELATIONS[rel]?.needs;
    return needs === undefined || may(caller, needs);
  });
  return describedFor(home.link('search', { href: endpoints.search.template, title: searched })).linkArray(
    'help',
    followed.map((rel) => ({
      href: endpoints.relation.href({ rel }),
      name: rel,
      title: RELATIONS[rel]?.summary,
      type: 'text/html',
    })),
  );
}
