// What an FAQ is and the rules it keeps, independent of HTTP and storage.

export const FAQ_STATUSES = ['draft', 'published'] as const;
export type FaqStatus = (typeof FAQ_STATUSES)[number];

/**
 * The ticket an FAQ came from: its id when the ticket lives in the same service (the single server), or its
 * absolute URI when it lives in another (the FAQ service alone: see docs/services.md).
 */
export type FaqSource = number | string;

/** What a client may write. `source` is the ticket it came from; `related` other FAQs, in order. */
export interface FaqFields {
  question: string;
  answer: string | null;
  status: FaqStatus;
  source: FaqSource | null;
  related: number[];
}

export interface Faq extends FaqFields {
  id: number;
  /** The related FAQs that are published: what callers who may not read drafts are shown. */
  publishedRelated: number[];
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export const FAQ_DEFAULTS: Omit<FaqFields, 'question'> = {
  answer: null,
  status: 'draft',
  source: null,
  related: [],
};

/** Questions are unique among live FAQs, ignoring case and surrounding spaces: this is the key compared. */
export function questionKey(question: string): string {
  return question.normalize('NFC').trim().toLowerCase();
}

/** Why these fields cannot stand together, or undefined when they can. */
export function whyInconsistent(fields: FaqFields): string | undefined {
  if (fields.status === 'published' && (fields.answer === null || fields.answer.trim() === '')) {
    return 'A published FAQ needs an answer: add one, or keep the FAQ a draft.';
  }
  return undefined;
}
