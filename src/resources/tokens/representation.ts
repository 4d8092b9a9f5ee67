// Tokens as HAL (admins only). The secret appears only in the answer that mints it.
import type { Token } from '../../domain/tokens.ts';
import { formTemplate } from '../../links/forms.ts';
import { HalResource } from '../../links/hal.ts';
import { type PageLinksRequest, collectionResource } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import type { Page } from '../../store/pagination.ts';
import { mintToken } from './schema.ts';

export function tokenResource(token: Token, secret?: string): HalResource {
  const { id, name, role, email, createdAt } = token;
  return new HalResource(
    { id, name, role, email, createdAt, ...(secret ? { secret } : {}) },
    { href: endpoints.token.href({ id }), title: name },
  )
    .link('collection', endpoints.tokens.href())
    .template('delete', () => formTemplate({ title: 'Revoke this token', method: 'DELETE' }));
}

export function tokenCollection(request: PageLinksRequest, page: Page<Token>): HalResource {
  return collectionResource({
    endpoint: endpoints.tokens,
    rel: 'tokens',
    filters: {},
    request,
    page,
    item: (token) => tokenResource(token),
  }).template('default', () =>
    formTemplate({ title: 'Mint a token', method: 'POST', schema: mintToken.schema, target: endpoints.tokens.href() }),
  );
}
