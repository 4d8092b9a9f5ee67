// The first FAQ contract, as it was: create with {question, source} where source is a ticket id.
import { Type } from '@sinclair/typebox';
import { FAQ_STATUSES } from '../../domain/faqs.ts';
import { type BodyDescription, READ_ONLY_FIELDS } from '../../http/validation.ts';
import { createFaq } from '../faqs/schema.ts';

const { question, answer } = createFaq.schema.properties;
const status = Type.Unsafe<(typeof FAQ_STATUSES)[number]>({ type: 'string', enum: [...FAQ_STATUSES], title: 'Status' });
const source = Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
  title: 'Source',
  description: 'Id of the ticket this FAQ came from.',
});

export const V1FaqSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1, readOnly: true }),
    question,
    answer: Type.Union([Type.String(), Type.Null()], { title: 'Answer' }),
    status,
    source,
    createdAt: Type.String({ format: 'date-time', readOnly: true }),
    updatedAt: Type.String({ format: 'date-time', readOnly: true }),
  },
  { title: 'FAQ (contract v1)' },
);

const V1FaqCreate = Type.Object({ question, source: Type.Optional(source) }, { additionalProperties: false });
const V1FaqPatch = Type.Object(
  { question: Type.Optional(question), answer: Type.Optional(answer), status: Type.Optional(status) },
  { additionalProperties: false },
);

export const createV1Faq: BodyDescription<typeof V1FaqCreate> = {
  schema: V1FaqCreate,
  noun: 'an FAQ (contract v1)',
  readOnly: READ_ONLY_FIELDS,
};
export const patchV1Faq: BodyDescription<typeof V1FaqPatch> = {
  schema: V1FaqPatch,
  noun: 'a change to an FAQ (contract v1)',
  readOnly: READ_ONLY_FIELDS,
};
