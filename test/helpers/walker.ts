// A Ketting-style client for tests that span services: it knows a root URL and a token, resolves every href
// against the URL of the document it came in (so absolute links to another service just work), expands
// templates, submits HAL-FORMS templates, and follows 303 as Ketting does.
import { HAL_FORMS, type HalDocument, type Template, expand, linkOf } from './hypermedia.ts';

export interface Resource {
  url: string;
  document: HalDocument;
}

export class Walker {
  constructor(private readonly token: string) {}

  request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${this.token}`);
    if (!headers.has('Accept')) headers.set('Accept', HAL_FORMS);
    return fetch(url, { redirect: 'manual', ...init, headers });
  }

  async get(url: string): Promise<Resource> {
    const response = await this.request(url);
    if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    return { url, document: (await response.json()) as HalDocument };
  }

  /** The absolute URL a relation leads to, its template expanded with `values`. */
  href(resource: Resource, rel: string, values: Record<string, string | number> = {}): string {
    return new URL(expand(linkOf(resource.document, rel).href, values), resource.url).href;
  }

  follow(resource: Resource, rel: string, values: Record<string, string | number> = {}): Promise<Resource> {
    return this.get(this.href(resource, rel, values));
  }

  template(resource: Resource, name: string): Template {
    const template = resource.document._templates?.[name];
    if (!template) throw new Error(`${resource.url} offers no "${name}" template`);
    return template;
  }

  /** Sends a template as it says (method, content type, target or else the resource itself); the raw answer. */
  submit(resource: Resource, name: string, body?: unknown): Promise<Response> {
    const template = this.template(resource, name);
    return this.request(new URL(template.target ?? resource.url, resource.url).href, {
      method: template.method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': template.contentType ?? 'application/json' }, body: JSON.stringify(body) }),
    });
  }

  /** Where an answer sends the client next: its Location, resolved against the URL that was asked. */
  location(response: Response, asked: string): string {
    const location = response.headers.get('Location');
    if (location === null) throw new Error(`${response.status} from ${asked} has no Location`);
    return new URL(location, asked).href;
  }
}

/** The embedded items of a collection under `rel`, with their absolute self URLs. */
export function items(resource: Resource, rel: string): Resource[] {
  return (resource.document._embedded?.[rel] ?? []).map((document) => ({
    url: new URL(linkOf(document, 'self').href, resource.url).href,
    document,
  }));
}
