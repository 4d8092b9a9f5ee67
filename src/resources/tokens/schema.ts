// The one description of a token on the wire (never its secret, but for the one answer that mints it).
import { Type } from '@sinclair/typebox';
import { ROLES } from '../../domain/access.ts';
import { type BodyDescription, requiredText } from '../../http/validation.ts';

const MintToken = Type.Object(
  {
    name: requiredText(100, { title: 'Name', description: 'Who or what holds the token.' }),
    role: Type.Unsafe<(typeof ROLES)[number]>({ type: 'string', enum: [...ROLES], title: 'Role' }),
    email: Type.Optional(
      Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()], {
        title: 'Email',
        description: 'Required for requesters: their tickets are the ones with this requester.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const mintToken: BodyDescription<typeof MintToken> = {
  schema: MintToken,
  noun: 'a token',
  readOnly: ['id', 'secret', 'createdAt', 'revokedAt'],
};
