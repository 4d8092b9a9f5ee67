// The FAQ service as the ticket service sees it: one root URL (FAQ_API), and from there only relations and
// templates, as any hypermedia client would follow them. Nothing here knows one of the FAQ service's paths.
import { VERSION } from '../project.ts';
import {
  HypermediaClient,
  type HypermediaClientOptions,
  type RemoteDocument,
  RemoteFailure,
  absoluteTemplate,
  linkOf,
  resolveHref,
} from './hypermedia.ts';

/**
 * How long the FAQ home document is used without asking when it states no freshness of its own (the FAQ
 * service sends none): its ETag makes asking cheap, but not free, and a burst of ticket reads should ask once.
 */
export const HOME_FRESH_MS = 5_000;

/**
 * How long the last home document known still gives our links their templates while the FAQ service cannot
 * be reached. The templates are stable, so a ticket keeps its `faqs` link through an outage; past this a
 * copy is too old to vouch for, and the link goes until the FAQ service answers again.
 */
const HOME_STALE_IF_ERROR_MS = 60 * 60_000;

/** The FAQ contract this code was written against (the current one; v1 is the deprecated first contract). */
const FAQ_CONTRACT = 2;

/** How the ticket service introduces itself: its version and the contract it speaks. */
const USER_AGENT = `helpdesk-tickets/${VERSION} faq-contract/${FAQ_CONTRACT}`;

/** Where the FAQ service's collections are, as absolute link templates to hand on to our own clients. */
export interface FaqEntryPoints {
  faqs: string;
  faq: string | undefined;
  search: string | undefined;
}

export type Promotion =
  | { outcome: 'created'; url: string; document: RemoteDocument | undefined }
  | { outcome: 'exists'; url: string }
  | { outcome: 'refused'; status: number; detail: string };

/** The first embedded item's absolute self URL in a collection page, if it has items. */
function firstItem(page: { url: string; document: RemoteDocument }, rel: string): string | undefined {
  const items = page.document._embedded?.[rel];
  const first = Array.isArray(items) ? items.at(0) : undefined;
  if (first === undefined) return undefined;
  const self = linkOf(first, 'self');
  if (!self) throw new RemoteFailure('bad-answer', `an item of ${page.url} has no self link`);
  return new URL(self.href, page.url).href;
}

/**
 * Every href and form target in a document made absolute against `base`: a document relayed from the FAQ
 * service must not send our clients to our own paths.
 */
function withAbsoluteLinks(document: RemoteDocument, base: string): RemoteDocument {
  const links = Object.fromEntries(
    Object.entries(document._links ?? {}).map(([rel, value]) => {
      const absolute = (link: { href: string }) => ({ ...link, href: absoluteTemplate(link.href, base) });
      return [rel, Array.isArray(value) ? value.map(absolute) : absolute(value)];
    }),
  );
  const embedded =
    document._embedded &&
    Object.fromEntries(
      Object.entries(document._embedded).map(([rel, items]) => [
        rel,
        items.map((item) => withAbsoluteLinks(item, base)),
      ]),
    );
  const templates =
    document._templates &&
    Object.fromEntries(
      Object.entries(document._templates).map(([name, form]) => [
        name,
        form.target === undefined ? form : { ...form, target: new URL(form.target, base).href },
      ]),
    );
  return {
    ...document,
    _links: links,
    ...(embedded ? { _embedded: embedded } : {}),
    ...(templates ? { _templates: templates } : {}),
  };
}

export class FaqService {
  readonly client: HypermediaClient;

  constructor(
    /** FAQ_API: the FAQ service's home document. */
    readonly root: string,
    options: Omit<HypermediaClientOptions, 'userAgent'>,
  ) {
    this.client = new HypermediaClient({ ...options, userAgent: USER_AGENT });
  }

  /**
   * The home document, read anonymously: it is the same for every caller of the FAQ service that may see
   * FAQs, so it can be cached by the headers it comes with (or for HOME_FRESH_MS), and used stale for
   * HOME_STALE_IF_ERROR_MS while the FAQ service is unavailable. `revalidate` asks now and takes no stale copy.
   */
  private home({ revalidate = false } = {}) {
    return this.client.get(this.root, {
      authenticated: false,
      defaultFreshMs: HOME_FRESH_MS,
      staleIfErrorMs: HOME_STALE_IF_ERROR_MS,
      revalidate,
    });
  }

  /**
   * The FAQ service's collections, from its home document as kept. With `revalidate` the FAQ service is asked
   * now and must answer: what readiness wants to know.
   */
  async entryPoints({ revalidate = false } = {}): Promise<FaqEntryPoints> {
    const home = await this.home({ revalidate });
    const faqs = linkOf(home.document, 'faqs');
    if (!faqs) throw new RemoteFailure('bad-answer', `${home.url} has no "faqs" link`);
    const absolute = (rel: string) => {
      const link = linkOf(home.document, rel);
      return link && absoluteTemplate(link.href, home.url);
    };
    return { faqs: absoluteTemplate(faqs.href, home.url), faq: absolute('faq'), search: absolute('search') };
  }

  /** The FAQs made from a ticket: the FAQ service's own `faqs` template, filtered by the ticket's URI. */
  async faqsOf(ticketUri: string): Promise<string> {
    const home = await this.home();
    const faqs = linkOf(home.document, 'faqs');
    if (!faqs) throw new RemoteFailure('bad-answer', `${home.url} has no "faqs" link`);
    return resolveHref(faqs.href, home.url, { source: ticketUri });
  }

  /**
   * Makes a draft FAQ from a ticket unless one exists. The FAQ carries its source from the moment it exists,
   * so the look that comes first finds the FAQ of any earlier promote, even one whose answer never reached us.
   */
  async promote(ticketUri: string, question: string): Promise<Promotion> {
    const made = await this.madeFrom(ticketUri);
    if (made.existing) return { outcome: 'exists', url: made.existing };
    const { method, target } = createForm(made.page);
    const answer = await this.client.write(method, target, { question, source: ticketUri });
    if (answer.status === 201 && answer.location) {
      return {
        outcome: 'created',
        url: answer.location,
        document: answer.document && withAbsoluteLinks(answer.document, answer.location),
      };
    }
    if (answer.status === 409) {
      // A promote of the same ticket at once may have won the race (same question): its FAQ is the answer.
      const again = await this.madeFrom(ticketUri);
      if (again.existing) return { outcome: 'exists', url: again.existing };
      const detail =
        typeof answer.document?.detail === 'string' ? answer.document.detail : 'The FAQ service refused the FAQ.';
      return { outcome: 'refused', status: 409, detail };
    }
    throw new RemoteFailure('bad-answer', `${method} ${target} answered ${answer.status}`);
  }

  private async madeFrom(ticketUri: string) {
    const page = await this.client.get(await this.faqsOf(ticketUri));
    return { page, existing: firstItem(page, 'faqs') };
  }
}

/** How to create an FAQ: the collection's HAL-FORMS `default` template, or else a POST to the collection. */
function createForm(page: { url: string; document: RemoteDocument }): { method: string; target: string } {
  const form = page.document._templates?.default;
  const self = linkOf(page.document, 'self');
  const collection = new URL(self?.href ?? page.url, page.url).href;
  if (!form) return { method: 'POST', target: new URL(new URL(collection).pathname, collection).href };
  return {
    method: (form.method ?? 'POST').toUpperCase(),
    target: form.target === undefined ? collection : new URL(form.target, page.url).href,
  };
}
