// HTTP for tokens: admins mint, list and revoke them.
import { normaliseEmail } from '../../domain/access.ts';
import { hashSecret, newSecret } from '../../domain/tokens.ts';
import { requireAction } from '../../http/authentication.ts';
import { bodyOf } from '../../http/body.ts';
import { gone, invalid } from '../../http/problem.ts';
import { QueryReader, readPageParameters } from '../../http/query.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { validateBody } from '../../http/validation.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';
import { loadResource, pathId } from '../load.ts';
import { tokenCollection, tokenResource } from './representation.ts';
import { mintToken } from './schema.ts';

export function tokenRoutes(routes: Routes, store: Store): void {
  const { tokens } = store;

  const load = (rawId: string | undefined) =>
    loadResource(rawId, {
      noun: 'token',
      find: (id) => tokens.find(id),
      live: (token) => (token.revokedAt === null ? token : gone(`Token ${token.id} was revoked.`)),
    });

  routes.get(endpoints.tokens, async (ctx) => {
    requireAction(ctx, 'token:manage');
    const query = new QueryReader(ctx);
    const page = readPageParameters(query);
    query.done();
    sendResource(ctx, tokenCollection(page, await tokens.list(page)));
  });

  routes.post(endpoints.tokens, async (ctx) => {
    requireAction(ctx, 'token:manage');
    const body = validateBody(mintToken, bodyOf(ctx));
    const email = body.email ? normaliseEmail(body.email) : null;
    if (body.role === 'requester' && email === null) {
      throw invalid('A requester token needs an email: their tickets are the ones they requested.', [
        { pointer: '#/email', detail: 'is required for requesters' },
      ]);
    }
    const secret = newSecret();
    const token = await tokens.create({ name: body.name.trim(), role: body.role, email }, hashSecret(secret));
    sendResource(ctx, tokenResource(token, secret), { status: 201, location: endpoints.token.href({ id: token.id }) });
  });

  routes.get(endpoints.token, async (ctx) => {
    requireAction(ctx, 'token:manage');
    sendResource(ctx, tokenResource(await load(pathId(ctx))));
  });

  routes.delete(endpoints.token, async (ctx) => {
    requireAction(ctx, 'token:manage');
    const token = await load(pathId(ctx));
    await tokens.revoke(token.id);
    ctx.status = 204;
  });
}
