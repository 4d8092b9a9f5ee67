// Creates and reads tickets and FAQs through the API, so that each test makes its own data, and takes the
// before/after readings that prove a refused request changed nothing.
import type { HalDocument } from './hal.ts';
import { json, type TestServer } from './server.ts';

export interface TicketBody extends HalDocument {
  id: number;
  title: string;
  description: string;
  status: string;
  priority: string;
  requester: string;
  assignee: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface FaqBody extends HalDocument {
  id: number;
  question: string;
  answer: string | null;
  status: string;
  source: string | null;
  related: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Created<T> {
  body: T;
  /** The Location the server answered with. */
  location: string;
  etag: string;
}

let sequence = 0;

/** Text no other test in the process uses: FAQ questions must be unique, and searches must find only ours. */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix} ${sequence}${Math.random().toString(36).slice(2, 8)}`;
}

async function create<T>(server: TestServer, path: string, fields: object): Promise<Created<T>> {
  const response = await server.fetch(path, json('POST', fields));
  const text = await response.text();
  if (response.status !== 201)
    throw new Error(`POST ${path} ${JSON.stringify(fields)} gave ${response.status}: ${text}`);
  return {
    body: JSON.parse(text) as T,
    location: response.headers.get('location') ?? '',
    etag: response.headers.get('etag') ?? '',
  };
}

export function createTicket(server: TestServer, fields: Record<string, unknown> = {}): Promise<Created<TicketBody>> {
  return create<TicketBody>(server, '/tickets', {
    title: unique('Ticket'),
    requester: 'customer@example.com',
    ...fields,
  });
}

export function createFaq(server: TestServer, fields: Record<string, unknown> = {}): Promise<Created<FaqBody>> {
  return create<FaqBody>(server, '/faqs', { question: unique('How do I'), ...fields });
}

/** GETs a path and parses its JSON body (whatever the status). */
export async function getJson<T = HalDocument>(server: TestServer, path: string, init: RequestInit = {}) {
  const response = await server.fetch(path, init);
  const text = await response.text();
  return { response, status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** GETs a path that must answer 200, and parses its JSON body. */
export async function getOk<T = HalDocument>(server: TestServer, path: string): Promise<T> {
  const { status, body } = await getJson<T>(server, path);
  if (status !== 200) throw new Error(`GET ${path}: ${status}`);
  return body;
}

/** What a resource looks like now: status, ETag and exact body, to compare before and after a refused write. */
export async function snapshot(
  server: TestServer,
  path: string,
): Promise<{ status: number; etag: string | null; body: string }> {
  const response = await server.fetch(path);
  return { status: response.status, etag: response.headers.get('etag'), body: await response.text() };
}

/** How many live tickets and FAQs there are, per the collections' own page metadata. */
export async function counts(server: TestServer): Promise<{ tickets: number; faqs: number }> {
  const total = async (path: string) => {
    const { status, body } = await getJson<{ page: { totalElements: number } }>(server, path);
    if (status !== 200) throw new Error(`GET ${path} gave ${status}`);
    return body.page.totalElements;
  };
  return { tickets: await total('/tickets'), faqs: await total('/faqs') };
}

/** Sends a request and reads the body, so no response is left unconsumed. */
export async function send(server: TestServer, path: string, init: RequestInit = {}) {
  const response = await server.fetch(path, init);
  const text = await response.text();
  return { response, status: response.status, text };
}
