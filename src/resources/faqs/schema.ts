// The one description of an FAQ on the wire: it validates request bodies and is the schema clients read.
import { type TSchema, Type } from '@sinclair/typebox';
import { FAQ_STATUSES } from '../../domain/faqs.ts';
import { type BodyDescription, NOT_BLANK, requiredText, READ_ONLY_FIELDS } from '../../http/validation.ts';
import { CHOICES_KEYWORD } from '../../links/forms.ts';
import { endpoints } from '../../links/registry.ts';

const reference = (noun: string) =>
  Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 2000 })], {
    description: `A ${noun}: its id or its URI.`,
  });

const ANSWER_LENGTH = 20_000;

const fields = {
  question: requiredText(500, {
    title: 'Question',
    description: 'Unique among FAQs, ignoring case and surrounding spaces.',
  }),
  answer: Type.Union([Type.String({ maxLength: ANSWER_LENGTH }), Type.Null()], {
    title: 'Answer',
    description: 'Without one, the FAQ is a draft.',
  }),
  status: Type.Unsafe<(typeof FAQ_STATUSES)[number]>({ type: 'string', enum: [...FAQ_STATUSES], title: 'Status' }),
  source: Type.Union([reference('ticket'), Type.Null()], {
    title: 'Source',
    description: 'The ticket this FAQ came from.',
    [CHOICES_KEYWORD]: { href: endpoints.tickets.template, promptField: 'title', valueField: 'id' },
  }),
  related: Type.Array(reference('FAQ'), {
    maxItems: 50,
    title: 'Related',
    description: 'Other FAQs a reader may want.',
    [CHOICES_KEYWORD]: { href: endpoints.faqs.template, promptField: 'question', valueField: 'id' },
  }),
};

/** The whole resource, as GET shows it: references go out as URIs. */
export const FaqSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1, readOnly: true }),
    question: fields.question,
    answer: fields.answer,
    status: fields.status,
    source: Type.Union([Type.String(), Type.Null()], {
      title: 'Source',
      description: 'URI of the ticket this FAQ came from.',
    }),
    related: Type.Array(Type.String(), { title: 'Related', description: 'URIs of related FAQs.' }),
    createdAt: Type.String({ format: 'date-time', readOnly: true }),
    updatedAt: Type.String({ format: 'date-time', readOnly: true }),
  },
  { title: 'FAQ' },
);

const FaqCreate = Type.Object(
  {
    question: fields.question,
    answer: Type.Optional(fields.answer),
    status: Type.Optional(fields.status),
    source: Type.Optional(fields.source),
    related: Type.Optional(fields.related),
  },
  {
    additionalProperties: false,
    // A whole FAQ must hold together on its own: published means answered (see whyInconsistent in the domain).
    if: { properties: { status: { const: 'published' } }, required: ['status'] },
    // The length again: a pattern never runs on a string longer than its bound (src/http/length-first.ts).
    then: {
      properties: { answer: { type: 'string', maxLength: ANSWER_LENGTH, pattern: NOT_BLANK } },
      required: ['answer'],
    },
  },
);

/** A create's body; PUT replaces the whole FAQ with the same body, and what it leaves out takes its default. */
export const createFaq: BodyDescription<typeof FaqCreate> = {
  schema: FaqCreate,
  noun: 'an FAQ',
  readOnly: READ_ONLY_FIELDS,
};

// A change is checked against the FAQ it changes (409 when the result would not hold together), so the
// whole-FAQ rule above is not part of it.
const { if: _if, then: _then, ...withoutRule } = FaqCreate as typeof FaqCreate & { if?: unknown; then?: unknown };
const FaqPatch = Type.Partial(withoutRule as typeof FaqCreate, { additionalProperties: false });

export const patchFaq: BodyDescription<typeof FaqPatch> = {
  schema: FaqPatch,
  noun: 'a change to an FAQ',
  readOnly: READ_ONLY_FIELDS,
};

/** The schemas the FAQ forms are built from: the ones that validate bodies, or those of the FAQ service alone. */
export interface FaqForms {
  create: TSchema;
  patch: TSchema;
}

export const FAQ_FORMS: FaqForms = { create: FaqCreate, patch: FaqPatch };

/**
 * The FAQ service alone has no tickets to offer as choices: its forms ask for the ticket's absolute URI on the
 * ticket service instead (the bodies are still validated by the schemas above, which allow a URI).
 */
const sourceUri = Type.Optional(
  Type.Union([Type.String({ minLength: 1, maxLength: 2000, format: 'uri' }), Type.Null()], {
    title: 'Source',
    description: 'The absolute URI of the ticket this FAQ came from, on the ticket service.',
  }),
);

export const FAQ_FORMS_ALONE: FaqForms = {
  create: { ...FaqCreate, properties: { ...FaqCreate.properties, source: sourceUri } },
  patch: { ...FaqPatch, properties: { ...FaqPatch.properties, source: sourceUri } },
};
