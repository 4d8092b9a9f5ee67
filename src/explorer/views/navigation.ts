// Links inside the page that open an API resource in the explorer instead of leaving it. They are real
// anchors with real hrefs, so opening one in a new tab, copying it or middle-clicking it works too.
import { type Child, type Props, h } from '../dom.ts';

export type Open = (apiUrl: string) => void;

/** The path of `href` when it is on this server, else undefined. */
export function ownPath(href: string): string | undefined {
  try {
    const url = new URL(href, location.origin);
    return url.origin === location.origin ? url.pathname + url.search : undefined;
  } catch {
    return undefined;
  }
}

/** `href` if a browser may follow it safely (http or https), else undefined: never `javascript:` and the like. */
function safeHref(href: string): string | undefined {
  try {
    return ['http:', 'https:'].includes(new URL(href, location.origin).protocol) ? href : undefined;
  } catch {
    return undefined;
  }
}

/** A link that leaves the explorer, in a new tab (or plain text when it could not be followed safely). */
export function pageLink(href: string, props: Props, ...children: Child[]): HTMLElement {
  const safe = safeHref(href);
  if (!safe) return h('span', { class: props.class }, ...children);
  return h('a', { ...props, href: safe, target: '_blank', rel: 'noopener noreferrer' }, ...children);
}

/**
 * An anchor to an API URL: a plain click opens it here; a click with a modifier key is left to the browser.
 * A URL on another host is not the API's: it opens as a page, in a new tab.
 */
export function apiLink(href: string, open: Open, props: Props, ...children: Child[]): HTMLElement {
  const apiUrl = ownPath(href);
  if (apiUrl === undefined) return pageLink(href, props, ...children);
  return h(
    'a',
    {
      ...props,
      href: apiUrl,
      on: {
        click: (event) => {
          const click = event as MouseEvent;
          if (click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return;
          event.preventDefault();
          open(apiUrl);
        },
      },
    },
    ...children,
  );
}

export function methodBadge(method: string): HTMLElement {
  return h('span', { class: `method method-${method.toLowerCase()}` }, method);
}

export function statusClass(status: number): string {
  return `status status-${Math.floor(status / 100)}xx`;
}
