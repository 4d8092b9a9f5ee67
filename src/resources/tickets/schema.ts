// The one description of a ticket on the wire: it validates request bodies and is the schema clients read.
import { type Static, Type } from '@sinclair/typebox';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/tickets.ts';
import { type BodyDescription, requiredText, READ_ONLY_FIELDS } from '../../http/validation.ts';
import { CHOICES_KEYWORD } from '../../links/forms.ts';
import { endpoints } from '../../links/registry.ts';

const oneOf = <T extends readonly string[]>(values: T, options: object = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** A ticket holds at most this many tags, each of 1 to MAX_TAG_LENGTH characters. */
const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 50;

const fields = {
  title: requiredText(200, { title: 'Title', description: 'What the customer reports, in a line.' }),
  description: Type.String({ maxLength: 10_000, title: 'Description' }),
  status: oneOf(TICKET_STATUSES, {
    title: 'Status',
    description: 'Any status may follow any other, but closed is final.',
  }),
  priority: oneOf(TICKET_PRIORITIES, { title: 'Priority' }),
  requester: Type.String({
    format: 'email',
    maxLength: 254,
    title: 'Requester',
    description: 'Email of the customer.',
  }),
  assignee: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { title: 'Assignee' }),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: MAX_TAG_LENGTH, pattern: '^\\S(.*\\S)?$' }), {
    maxItems: MAX_TAGS,
    uniqueItems: true,
    title: 'Tags',
  }),
};

/** One tag inside a comma-separated list: 1 to 50 characters, no commas, no surrounding spaces. */
const LISTED_TAG = `[^,\\s](?:[^,]{0,${MAX_TAG_LENGTH - 2}}[^,\\s])?`;

/**
 * Bodies may give tags as an array or as one comma-separated string (what a form field can hold: HAL-FORMS has
 * no free-form list), e.g. "billing, vip". The pattern checks each tag and the count; see tagList(). Spaces
 * around the list belong to its end (`\s*` after the last tag, not beside an optional list): two runs of
 * spaces that could each take the same characters made a run of spaces cost its square in backtracking.
 * The length is that of the longest list a form shows: MAX_TAGS tags of the longest kind, joined by ", ".
 */
const writableTags = Type.Union(
  [
    fields.tags,
    Type.String({
      maxLength: MAX_TAGS * MAX_TAG_LENGTH + (MAX_TAGS - 1) * ', '.length,
      pattern: `^\\s*(?:${LISTED_TAG}(?:\\s*,\\s*${LISTED_TAG}){0,${MAX_TAGS - 1}}\\s*)?$`,
      title: 'Tags',
      description: `Comma-separated, at most ${MAX_TAGS}.`,
    }),
  ],
  { title: 'Tags', description: 'A list of tags, or one comma-separated string of them.' },
);

/** Tags as a list, whichever form the body used; repeats are dropped. */
export function tagList(tags: string[] | string): string[] {
  const list =
    typeof tags === 'string'
      ? tags
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean)
      : tags;
  return [...new Set(list)];
}

/** The whole resource, as GET shows it. */
export const TicketSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1, readOnly: true }),
    ...fields,
    createdAt: Type.String({ format: 'date-time', readOnly: true }),
    updatedAt: Type.String({ format: 'date-time', readOnly: true }),
  },
  { title: 'Ticket' },
);

const { title, requester, ...optional } = fields;

const TicketCreate = Type.Object(
  {
    title,
    requester,
    description: Type.Optional(optional.description),
    status: Type.Optional(optional.status),
    priority: Type.Optional(optional.priority),
    assignee: Type.Optional(optional.assignee),
    tags: Type.Optional(writableTags),
  },
  { additionalProperties: false },
);

/** A create's body; PUT replaces the whole ticket with the same body, and what it leaves out takes its default. */
export const createTicket: BodyDescription<typeof TicketCreate> = {
  schema: TicketCreate,
  noun: 'a ticket',
  readOnly: READ_ONLY_FIELDS,
};

const TicketPatch = Type.Partial(TicketCreate, { additionalProperties: false });

export const patchTicket: BodyDescription<typeof TicketPatch> = {
  schema: TicketPatch,
  noun: 'a change to a ticket',
  readOnly: READ_ONLY_FIELDS,
};

const TicketMerge = Type.Object(
  {
    into: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 2000 })], {
      title: 'Into',
      description: 'The ticket that survives: its id or URI.',
      [CHOICES_KEYWORD]: { href: endpoints.tickets.template, promptField: 'title', valueField: 'id' },
    }),
  },
  { additionalProperties: false },
);

export const mergeTicket: BodyDescription<typeof TicketMerge> = { schema: TicketMerge, noun: 'a merge', readOnly: [] };

export type TicketCreateBody = Static<typeof TicketCreate>;
export type TicketPatchBody = Static<typeof TicketPatch>;
