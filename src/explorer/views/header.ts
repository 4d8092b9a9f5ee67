// The bar at the top: which API this is, an address field to open any URL of it, and the bearer token sent
// with every request (kept for this tab's session).
import { h } from '../dom.ts';
import { currentToken } from '../session.ts';
import { type Open, apiLink } from './navigation.ts';

export interface HeaderActions {
  open: Open;
  openTyped(typed: string): void;
  setToken(token: string): void;
}

/** `home` is the home document's path (under the server's mount), where the brand leads. */
export function headerView(apiUrl: string, home: string, actions: HeaderActions): HTMLElement {
  const address = h('input', { id: 'address', name: 'url', type: 'text', value: apiUrl, spellcheck: 'false', autocomplete: 'off' });
  const token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', placeholder: 'none: anonymous' });
  token.value = currentToken();
  const signedIn = currentToken() !== '';
  return h(
    'header',
    { class: 'topbar' },
    apiLink(home, actions.open, { class: 'brand', 'aria-label': 'Helpdesk API explorer: home document' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'H'), h('span', {}, 'Helpdesk'), h('span', { class: 'brand-sub' }, 'API explorer')),
    h(
      'form',
      {
        class: 'address',
        role: 'search',
        on: {
          submit: (event) => {
            event.preventDefault();
            actions.openTyped(address.value);
          },
        },
      },
      h('label', { for: 'address' }, 'URL'),
      address,
      h('button', { type: 'submit' }, 'Open'),
    ),
    h(
      'form',
      {
        class: 'token',
        on: {
          submit: (event) => {
            event.preventDefault();
            actions.setToken(token.value);
          },
        },
      },
      h('label', { for: 'token' }, 'Bearer token'),
      token,
      h('button', { type: 'submit' }, 'Use token'),
      signedIn ? h('button', { type: 'button', class: 'quiet', on: { click: () => actions.setToken('') } }, 'Forget') : null,
      h('span', { class: signedIn ? 'identity identity-token' : 'identity', role: 'status' }, signedIn ? 'Token in use' : 'Anonymous'),
    ),
  );
}
