// Fixtures for the access tests: callers with tokens of each role, and tickets, FAQs and tokens made through
// the API as the admin, each carrying a word of its own so a search or filter finds exactly the test's data.
import { randomBytes } from 'node:crypto';
import type { FormTemplate } from '../../src/links/forms.ts';
import type { HalLink } from '../../src/links/wire.ts';
import { type TestServer, json } from './server.ts';

export { HAL_FORMS } from '../../src/http/media-types.ts';

type WireLink = HalLink;

export interface HalDocument {
  _links: Record<string, WireLink | WireLink[]>;
  _embedded?: Record<string, HalDocument[]>;
  _templates?: Record<string, FormTemplate>;
  [property: string]: unknown;
}

export interface Ticket extends HalDocument {
  id: number;
  title: string;
  requester: string;
  assignee: string | null;
  status: string;
}

export interface Faq extends HalDocument {
  id: number;
  question: string;
  answer: string | null;
  status: string;
  source: string | null;
  related: string[];
}

/** A caller: the bearer token it sends (null for anonymous) and, for requesters, whose tickets are theirs. */
export interface Actor {
  token: string | null;
  email?: string;
}

export interface MintedToken {
  id: number;
  secret: string;
}

/** Letters only (FTS5 cuts words at anything else), and unique per call, so a search finds one test's data. */
export function uniqueWord(): string {
  return `w${randomBytes(6)
    .toString('hex')
    .replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)}`;
}

async function created<T>(response: Response, what: string): Promise<T> {
  if (response.status !== 201) throw new Error(`creating ${what} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Mints a token as the admin and returns its id with the secret. */
export async function mintToken(
  server: TestServer,
  role: 'admin' | 'agent' | 'requester',
  email?: string,
): Promise<MintedToken> {
  const name = `${role}-${uniqueWord()}`;
  const body = { name, role, ...(role === 'requester' ? { email: email ?? `${name}@customers.example` } : {}) };
  return created<MintedToken>(await server.fetch('/tokens', json('POST', body)), `a ${role} token`);
}

export async function requester(server: TestServer, label = 'someone'): Promise<Actor & { email: string }> {
  const email = `${label}-${uniqueWord()}@customers.example`;
  const { secret } = await mintToken(server, 'requester', email);
  return { token: secret, email };
}

export async function actorOf(server: TestServer, role: 'admin' | 'agent'): Promise<Actor> {
  return { token: (await mintToken(server, role)).secret };
}

export const ANONYMOUS: Actor = { token: null };

/** A ticket reported by `requesterEmail`, created by the admin. */
export async function createTicket(
  server: TestServer,
  requesterEmail: string,
  fields: Record<string, unknown> = {},
): Promise<Ticket> {
  const body = { title: `Printer on fire ${uniqueWord()}`, requester: requesterEmail, ...fields };
  return created<Ticket>(await server.fetch('/tickets', json('POST', body)), 'a ticket');
}

/** An FAQ written by the admin; a published one needs an answer, which it gets unless given one. */
export async function createFaq(server: TestServer, fields: Record<string, unknown> = {}): Promise<Faq> {
  const body = { question: `How do I stop the fire ${uniqueWord()}?`, answer: 'Unplug it.', ...fields };
  return created<Faq>(await server.fetch('/faqs', json('POST', body)), 'an FAQ');
}

/** The relation names of a document's links, sorted. */
export function linkRels(document: HalDocument): string[] {
  return Object.keys(document._links).sort();
}

/** The names of a document's HAL-FORMS templates, sorted (none when it has no `_templates`). */
export function templateNames(document: HalDocument): string[] {
  return Object.keys(document._templates ?? {}).sort();
}

/** The ids of the resources embedded under a relation. */
export function embeddedIds(document: HalDocument, rel: string): number[] {
  return (document._embedded?.[rel] ?? []).map((item) => item.id as number);
}
