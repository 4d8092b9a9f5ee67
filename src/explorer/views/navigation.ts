// Links inside the page that open an API resource in the explorer instead of leaving it. They are real
// anchors with real hrefs, so opening one in a new tab, copying it or middle-clicking it works too.
import { type Child, type Props, h } from '../dom.ts';

export type Open = (apiUrl: string) => void;

/** An anchor to an API URL: a plain click opens it here; a click with a modifier key is left to the browser. */
export function apiLink(apiUrl: string, open: Open, props: Props, ...children: Child[]): HTMLAnchorElement {
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
