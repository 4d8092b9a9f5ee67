// The link relations this API uses, each with a short human explanation served at /rels/{rel} and linked
// from the home document, so a person in a HAL browser can read what a relation means.

import type { Action } from '../domain/access.ts';

export interface Relation {
  /** What following the relation gives you. */
  summary: string;
  /** How to use it: method, body, answers. */
  usage: string;
  /** What a caller must be allowed to follow it; none: everyone may. */
  needs?: Action;
}

export const RELATIONS: Record<string, Relation> = {
  tickets: {
    needs: 'ticket:list',
    summary: 'The tickets collection: what customers reported, paged and filterable.',
    usage:
      'GET, expanding the template with page, size, status (open, pending, solved, closed), q (words to search for) and import (the id of a bulk import: the tickets it created). POST a ticket to report one (201 with Location).',
  },
  ticket: {
    needs: 'ticket:list',
    summary: 'One ticket, by id.',
    usage:
      'GET it; PATCH or PUT to change it, DELETE to remove it. Send If-Match with its ETag to be sure nobody changed it meanwhile (412 if they did). A closed ticket cannot change (409). A PATCH body is a JSON merge patch (RFC 7396), sent as application/json (what the update form says) or application/merge-patch+json: the fields it names change, the others stay.',
  },
  faqs: {
    summary: 'The FAQs collection: the knowledge base, paged and filterable.',
    usage:
      'GET, expanding the template with page, size, status (draft, published), q and source (a ticket). POST an FAQ to write one; its question must be unique (409 otherwise).',
  },
  faq: {
    summary: 'One FAQ, by id.',
    usage:
      'GET it; PATCH or PUT to change it, DELETE to remove it. A PATCH body is a JSON merge patch (RFC 7396), as application/json or application/merge-patch+json. An FAQ without an answer is a draft.',
  },
  search: {
    summary: 'Search across tickets and FAQs at once.',
    usage:
      'GET with q. The answer embeds the best matches of each kind and links to the full, paged lists. Nothing found is a 200 with empty lists.',
  },
  promote: {
    needs: 'ticket:promote',
    summary: 'Make an FAQ from this ticket: the question is the ticket title, the source is the ticket.',
    usage:
      'POST with no body. 201 with Location of the new draft FAQ; if the ticket was promoted before, 303 See Other to that FAQ.',
  },
  merge: {
    needs: 'ticket:merge',
    summary: 'Merge this ticket into another one, which survives.',
    usage:
      'POST {"into": <id or URI of the surviving ticket>}. This ticket is closed as merged; from then on GET of it answers 301 Moved Permanently to the survivor.',
  },
  source: {
    needs: 'faq:see-source',
    summary: 'The ticket an FAQ came from.',
    usage: 'GET it. Present only on FAQs that were promoted from, or written about, a ticket.',
  },
  related: {
    summary: 'Other FAQs a reader of this one may want. Always an array, possibly empty.',
    usage: 'GET each. Set them by sending "related": [ids or URIs] when writing the FAQ.',
  },
  publish: {
    needs: 'faq:publish',
    summary: 'Publish a draft FAQ that has an answer.',
    usage: 'POST with no body (offered as a HAL-FORMS template when allowed). 409 if the FAQ has no answer.',
  },
  tokens: {
    needs: 'token:manage',
    summary: 'Access tokens (admins only): who may call the API, with which role.',
    usage:
      'GET to list live tokens; POST {"name", "role": "admin|agent|requester", "email"} to mint one (email required for requesters). The secret is in the 201 answer, once; only its hash is kept. DELETE a token to revoke it.',
  },
  imports: {
    needs: 'ticket:import',
    summary: 'Bulk imports of tickets (agents and admins): each one a job that runs in the background.',
    usage:
      'POST a JSON array of tickets, or NDJSON (application/x-ndjson, one ticket per line), up to 10 MB; each row is the body a POST to tickets would take. 202 Accepted with Location of the job: GET it until its state is done (or failed), as often as Retry-After says. GET the collection to list jobs, paged. A finished job is kept for a retention the operator sets (a week by default); then it answers 410 Gone, while the tickets it created stay.',
  },
  rejections: {
    needs: 'ticket:import',
    summary: 'The rows of an import that made no ticket: one RFC 9457 problem each, with its row number.',
    usage:
      'GET, paged with page and size. Each problem has `row` (1-based: the index in the array plus one, or the line of the NDJSON) and `errors` naming every field at fault, exactly as POST to tickets would answer for that row.',
  },
  collection: {
    summary: 'The collection this resource belongs to (RFC 6573).',
    usage: 'GET it.',
  },
  describedby: {
    summary: 'The JSON Schema of this resource: the same schema the server validates request bodies with.',
    usage: 'GET it as application/schema+json.',
  },
};

/** Relations defined by this API rather than by the IANA registry, each worth a page of its own. */
export const CUSTOM_RELATIONS = [
  'tickets',
  'ticket',
  'faqs',
  'faq',
  'search',
  'promote',
  'merge',
  'source',
  'related',
  'publish',
  'tokens',
  'imports',
  'rejections',
] as const;
