// Builds the HAL documents of every representation. The `hal` package (the design card's choice) holds a
// resource's own properties and writes them; everything else is written here, because the package gets it wrong
// for HAL-FORMS clients: it drops link attributes (type, profile, deprecation), leaves a `rel` key in link arrays,
// cannot keep a relation an array when it has one link, and pluralises embedded relations. So `_links` (with
// `templated` following the href), `_embedded` and `_templates` are made here, and this is the one seam where the
// paths representations are built with become absolute URIs on the request's origin.
import hal from 'hal';
import { absoluteOn } from '../http/origin.ts';
import type { FormTemplate } from './forms.ts';
import { type HalLink, isTemplate } from './wire.ts';

/** A link as representations give it: whether it is templated follows from its href. */
export type Link = Omit<HalLink, 'templated'>;

/** A link as it goes on the wire: `templated: true` exactly when the href is an RFC 6570 template. */
export interface WireLink extends Link {
  templated?: true;
}

export interface HalDocument {
  _links: Record<string, WireLink | WireLink[]>;
  _embedded?: Record<string, HalDocument[]>;
  _templates?: Record<string, FormTemplate>;
  [property: string]: unknown;
}

/** A link or template with its href made absolute on `origin`. */
const linkOn = <T extends { href: string }>(origin: string, link: T): T => ({
  ...link,
  href: absoluteOn(origin, link.href),
});

/** A template with its target and its option links made absolute on `origin`. */
function templateOn(origin: string, template: FormTemplate): FormTemplate {
  return {
    ...template,
    ...(template.target === undefined ? {} : { target: absoluteOn(origin, template.target) }),
    properties: template.properties.map((property) =>
      property.options?.link
        ? { ...property, options: { ...property.options, link: linkOn(origin, property.options.link) } }
        : property,
    ),
  };
}

export interface Rendering {
  /** Add `_templates` to this resource (embedded ones stay plain, to keep pages lean). */
  templates?: boolean;
  /** The public origin paths are made absolute on (src/http/origin.ts); '' leaves them paths, for pure tests. */
  origin?: string;
}

function toWire(link: string | Link): WireLink {
  // A bare href (most links) has no attributes to look for.
  if (typeof link === 'string') return isTemplate(link) ? { href: link, templated: true } : { href: link };
  const wire: WireLink = { href: link.href };
  if (isTemplate(link.href)) wire.templated = true;
  for (const key of ['title', 'name', 'type', 'profile', 'deprecation', 'hreflang'] as const) {
    const value = link[key];
    if (value !== undefined) wire[key] = value;
  }
  return wire;
}

export class HalResource {
  private readonly resource: InstanceType<typeof hal.Resource>;
  /** Every link as it must go out; the package's own copy loses attributes and array shapes. */
  private readonly links = new Map<string, WireLink[]>();
  private readonly arrayRelations = new Set<string>();
  private readonly embedded = new Map<string, HalResource[]>();
  private readonly templates = new Map<string, () => FormTemplate>();
  /** Properties whose values are addresses (a path, or a list of them), written absolute as hrefs are. */
  private readonly addressProperties = new Set<string>();

  constructor(properties: object, self: string | Link) {
    this.resource = new hal.Resource(properties);
    this.link('self', self);
  }

  /**
   * Adds a link; several links under one relation become an array, as HAL says. Links are kept here only: the
   * package's own copy was thrown away by toJSON, yet building it cost a page of 20 tickets a tenth of its time.
   */
  link(rel: string, link: string | Link): this {
    const wire = toWire(link);
    const links = this.links.get(rel);
    if (links) links.push(wire);
    else this.links.set(rel, [wire]);
    return this;
  }

  /** Sets a relation that is an array whatever its length (clients can rely on its shape), even when empty. */
  linkArray(rel: string, links: readonly (string | Link)[]): this {
    this.arrayRelations.add(rel);
    if (!this.links.has(rel)) this.links.set(rel, []);
    for (const link of links) this.link(rel, link);
    return this;
  }

  /** Marks properties that hold addresses of resources (`source`, `related`, a problem's `type`). */
  addresses(...names: string[]): this {
    for (const name of names) this.addressProperties.add(name);
    return this;
  }

  /** Embeds resources under a relation exactly as named (no plural 's' added), always as an array. */
  embed(rel: string, resources: readonly HalResource[]): this {
    this.embedded.set(rel, [...(this.embedded.get(rel) ?? []), ...resources]);
    return this;
  }

  /**
   * Offers an action as a HAL-FORMS template. Only HAL-FORMS answers show templates, so it is built lazily:
   * a page of plain HAL pays nothing for its items' forms.
   */
  template(name: string, template: () => FormTemplate): this {
    this.templates.set(name, template);
    return this;
  }

  /** The document, with `_templates` when asked for, every address absolute on `origin` when one is given. */
  toJSON({ templates = false, origin = '' }: Rendering = {}): HalDocument {
    // `_links` first, where the package puts it.
    const document = { _links: {}, ...(this.resource.toJSON() as object) } as HalDocument;
    for (const [rel, stored] of this.links) {
      const links = origin === '' ? stored : stored.map((link) => linkOn(origin, link));
      const [only] = links;
      document._links[rel] = only && links.length === 1 && !this.arrayRelations.has(rel) ? only : links;
    }
    for (const name of origin === '' ? [] : this.addressProperties) {
      const value = document[name];
      if (typeof value === 'string') document[name] = absoluteOn(origin, value);
      else if (Array.isArray(value))
        document[name] = value.map((item: unknown) => (typeof item === 'string' ? absoluteOn(origin, item) : item));
    }
    // Embedded resources are serialised here rather than by the package, so that they are mended too.
    if (this.embedded.size > 0) {
      document._embedded = {};
      for (const [rel, resources] of this.embedded)
        document._embedded[rel] = resources.map((r) => r.toJSON({ origin }));
    }
    if (templates && this.templates.size > 0) {
      document._templates = {};
      // A template without a target acts on the resource itself; it says so, since some clients (HAL Explorer)
      // do not fall back to `self` as the spec lets them.
      const self = this.links.get('self')?.[0]?.href;
      for (const [name, build] of this.templates) {
        const template = build();
        document._templates[name] = templateOn(
          origin,
          template.target === undefined && self !== undefined ? { ...template, target: self } : template,
        );
      }
    }
    return document;
  }
}
