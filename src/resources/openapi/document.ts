// The OpenAPI 3.1 description of this process's API, for tools. Nothing in it is written by hand twice: the
// operations are the router's, the paths and parameters the registry's templates, the request bodies the very
// schemas that validate them, the answers each endpoint's media types and the problem types the API defines.
import { STATUS_CODES } from 'node:http';
import type { TObject, TSchema } from '@sinclair/typebox';
import { HAL_JSON, JSON_TYPE, MERGE_PATCH_JSON, NDJSON, PROBLEM_JSON } from '../../http/media-types.ts';
import { PROBLEM_TYPES, type ProblemKind } from '../../http/problem.ts';
import type { BodyDescription } from '../../http/validation.ts';
import { type Endpoint, type EndpointName, MOUNT, endpoints } from '../../links/registry.ts';
import { VERSION } from '../../project.ts';
import { createFaq, patchFaq } from '../faqs/schema.ts';
import { createTicket, mergeTicket, patchTicket } from '../tickets/schema.ts';
import { mintToken } from '../tokens/schema.ts';
import { createV1Faq, patchV1Faq } from '../v1/schema.ts';

export interface Operation {
  method: string;
  endpoint: Endpoint;
}

type Json = Record<string, unknown>;

/** What each write takes, by `METHOD endpoint`: the description its handler validates with, named as /schemas/ names it. */
const BODIES: Partial<Record<string, { name: string; body: BodyDescription<TObject> }>> = {
  'POST tickets': { name: 'ticket-create', body: createTicket },
  'PUT ticket': { name: 'ticket-create', body: createTicket },
  'PATCH ticket': { name: 'ticket-patch', body: patchTicket },
  'POST ticketMerge': { name: 'ticket-merge', body: mergeTicket },
  'POST faqs': { name: 'faq-create', body: createFaq },
  'PUT faq': { name: 'faq-create', body: createFaq },
  'PATCH faq': { name: 'faq-patch', body: patchFaq },
  'POST tokens': { name: 'token-mint', body: mintToken },
  'POST v1Faqs': { name: 'v1-faq-create', body: createV1Faq },
  'PATCH v1Faq': { name: 'v1-faq-patch', body: patchV1Faq },
};

/** Writes that take no body at all (an action named by its address). */
export const BODILESS = new Set(['POST ticketPromote', 'POST faqPublish']);

/** A bulk import: many tickets at once, as a JSON array or NDJSON (each row is the body a POST to tickets takes). */
const IMPORT = 'POST imports';

/** Success statuses where they differ from the method's usual ones. */
const SUCCESSES: Partial<Record<string, number[]>> = {
  'GET ticket': [200, 301, 304], // a merged ticket moves to its survivor
  'POST ticketPromote': [201, 303], // promoted before: see the FAQ it made
  'POST ticketMerge': [200],
  'POST faqPublish': [200],
  [IMPORT]: [202],
};
const USUAL_SUCCESSES: Record<string, number[]> = {
  GET: [200, 304],
  POST: [201],
  PUT: [200, 204],
  PATCH: [200, 204],
  DELETE: [204],
};

/** Endpoints anyone may read, whatever their token: no role can be refused there. */
const OPEN: ReadonlySet<EndpointName> = new Set([
  'home',
  'v1Home',
  'schema',
  'relations',
  'relation',
  'problem',
  'deprecation',
  'openapi',
  'explorer',
  'explorerAsset',
]);

/** Problems any request may meet on its way in (a malformed query, a bad token, Accept, a foreign host, limits, load). */
const EVERY_REQUEST: ProblemKind[] = [
  'invalid-request',
  'unauthorized',
  'not-acceptable',
  'misdirected-request',
  'too-many-requests',
  'internal-error',
  'service-unavailable',
];

const NUMBERED = { type: 'integer', minimum: 1 };
/** Variables that hold positive numbers; every other one is text. */
const NUMERIC_VARIABLES = new Set(['id', 'row', 'page', 'size', 'import']);

const VARIABLE = /\{(\w+)\}/g;

const nameOf = new Map<Endpoint, EndpointName>(
  Object.entries(endpoints).map(([name, endpoint]) => [endpoint, name as EndpointName]),
);

/** A schema as plain JSON (TypeBox marks its objects with symbols), without the keys a component does not need. */
function plain(schema: TSchema): Json {
  const { $id: _id, $schema: _schema, ...rest } = JSON.parse(JSON.stringify(schema)) as Json;
  return rest;
}

function parameters(endpoint: Endpoint): Json[] {
  const variable = (name: string, where: 'path' | 'query') => ({
    name,
    in: where,
    ...(where === 'path' ? { required: true } : {}),
    schema: NUMERIC_VARIABLES.has(name) ? NUMBERED : { type: 'string' },
  });
  const path = [...endpoint.path.matchAll(VARIABLE)].map(([, name = '']) => variable(name, 'path'));
  return [...path, ...endpoint.query.map((name) => variable(name, 'query'))];
}

function requestBody(key: string, method: string): Json | undefined {
  const reference = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  if (key === IMPORT) {
    return {
      required: true,
      content: {
        [JSON_TYPE]: { schema: { type: 'array', items: reference('ticket-create') } },
        [NDJSON]: { schema: { type: 'string', description: 'One ticket-create object per line.' } },
      },
    };
  }
  const body = BODIES[key];
  if (!body) return undefined;
  const types = method === 'PATCH' ? [JSON_TYPE, MERGE_PATCH_JSON, HAL_JSON] : [JSON_TYPE, HAL_JSON];
  return { required: true, content: Object.fromEntries(types.map((type) => [type, { schema: reference(body.name) }])) };
}

/** A schema for what an endpoint answers with, by media type: HAL documents, pages, schemas. */
function answerSchema(type: string): Json {
  if (type.includes('json'))
    return type === JSON_TYPE || type.includes('hal')
      ? { $ref: '#/components/schemas/hal-resource' }
      : { type: 'object' };
  return { type: 'string' };
}

function successResponse(status: number, endpoint: Endpoint): Json {
  const description = STATUS_CODES[status] ?? String(status);
  if (status === 204 || status === 304) return { description };
  if (status === 301 || status === 303)
    return { description, headers: { Location: { $ref: '#/components/headers/Location' } } };
  const content = Object.fromEntries(
    endpoint.representations.map((type) => [
      type,
      { schema: type === PROBLEM_JSON ? { $ref: '#/components/schemas/problem' } : answerSchema(type) },
    ]),
  );
  return {
    description,
    content,
    ...(status === 201 || status === 202 ? { headers: { Location: { $ref: '#/components/headers/Location' } } } : {}),
  };
}

/** The problems an operation can answer with, from what it is: a rule per kind of failure. */
function problemsOf(method: string, endpoint: Endpoint): ProblemKind[] {
  const name = nameOf.get(endpoint);
  const key = `${method} ${name}`;
  const hasVariables = endpoint.path.includes('{');
  const takesBody = BODIES[key] !== undefined || key === IMPORT;
  const kinds = new Set<ProblemKind>(EVERY_REQUEST);
  if (name === undefined || !OPEN.has(name)) kinds.add('forbidden');
  if (hasVariables) kinds.add('not-found');
  if (name?.startsWith('v1') || (name?.startsWith('import') && name !== 'imports')) kinds.add('gone');
  if (method !== 'GET') kinds.add('conflict');
  if (method !== 'GET' && hasVariables) kinds.add('precondition-failed');
  if (takesBody) {
    kinds.add('content-too-large');
    kinds.add('unsupported-media-type');
  }
  return Object.keys(PROBLEM_TYPES).filter((kind) => kinds.has(kind as ProblemKind)) as ProblemKind[];
}

function operation(method: string, endpoint: Endpoint): Json {
  const name = nameOf.get(endpoint) ?? endpoint.path;
  const key = `${method} ${name}`;
  const body = requestBody(key, method);
  const successes = SUCCESSES[key] ?? USUAL_SUCCESSES[method] ?? [200];
  const responses: Json = Object.fromEntries(
    successes.map((status) => [String(status), successResponse(status, endpoint)]),
  );
  for (const kind of problemsOf(method, endpoint))
    responses[String(PROBLEM_TYPES[kind].status)] = { $ref: `#/components/responses/${kind}` };
  const parameterList = parameters(endpoint);
  return {
    operationId: `${method.toLowerCase()}-${name}`,
    ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

/** The path as the description names it: under the server's URL, which carries the mount (BASE_PATH). */
function ownPath(endpoint: Endpoint): string {
  return endpoint.path.slice(MOUNT.length) || '/';
}

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: {
      type: 'string',
      format: 'uri',
      description: `One of /problems/{kind}: ${Object.keys(PROBLEM_TYPES).join(', ')}.`,
    },
    title: { type: 'string' },
    status: { type: 'integer', enum: [...new Set(Object.values(PROBLEM_TYPES).map((entry) => entry.status))] },
    detail: { type: 'string' },
    instance: { type: 'string', format: 'uri' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['detail'],
        properties: { pointer: { type: 'string' }, parameter: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
};

const HAL_SCHEMA = {
  type: 'object',
  description:
    'A HAL document (application/hal+json); with HAL-FORMS (application/prs.hal-forms+json) also its `_templates`.',
  properties: { _links: { type: 'object' }, _embedded: { type: 'object' }, _templates: { type: 'object' } },
};

/**
 * The description of `operations` (this process's registered routes), without its server: that is the request's
 * public origin, added by the caller, so one document serves every host the server answers to.
 */
export function openApiDocument(operations: readonly Operation[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const { method, endpoint } of operations) {
    const methods = (paths[ownPath(endpoint)] ??= {});
    methods[method.toLowerCase()] = operation(method, endpoint);
  }
  const bodySchemas = Object.fromEntries(
    Object.values(BODIES).flatMap((entry) => (entry ? [[entry.name, plain(entry.body.schema)]] : [])),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Helpdesk API',
      version: VERSION,
      description:
        'A HAL hypermedia API: start at the home document and follow its links. This description lists what this server answers; the links say what a caller may do now.',
    },
    paths,
    components: {
      schemas: { ...bodySchemas, 'hal-resource': HAL_SCHEMA, problem: PROBLEM_SCHEMA },
      responses: Object.fromEntries(
        Object.entries(PROBLEM_TYPES).map(([kind, { title, meaning }]) => [
          kind,
          {
            description: `${title}. ${meaning}`,
            content: { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/problem' } } },
          },
        ]),
      ),
      headers: {
        Location: {
          description: 'The absolute URI of the resource made, or to go to.',
          schema: { type: 'string', format: 'uri' },
        },
      },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A token minted at /tokens, or the bootstrap ADMIN_TOKEN. Without one, a caller sees what anyone may.',
        },
      },
    },
    // A token is optional: anonymous callers may read what anyone may.
    security: [{ bearer: [] }, {}],
  };
}
