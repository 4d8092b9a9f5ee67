// The one registry of URI templates: routes are registered from these and every href is expanded from them,
// so a link can never point where no route is.
import parseTemplate, { type UriTemplate } from 'uri-templates';
import {
  CSS,
  HAL_REPRESENTATIONS,
  HEALTH_JSON,
  HTML,
  JAVASCRIPT,
  JSON_TYPE,
  OPENAPI_JSON,
  PROBLEM_JSON,
  PROMETHEUS_TEXT,
  SCHEMA_JSON,
} from '../http/media-types.ts';
import { fixedMount } from './mount.ts';
import { isTemplate } from './wire.ts';

/**
 * The prefix every path is mounted under (BASE_PATH: `/kb`, say), from the configuration (src/links/mount.ts): a
 * service may move its routes and its clients, who follow links, never notice. Process-wide because templates
 * are already expanded at module load (the forms' option links).
 */
export const MOUNT = fixedMount();

/** What RFC 6570's simple expansion leaves as it is. */
const UNRESERVED = /^[A-Za-z0-9._~-]+$/;

/** A path of literals and `{name}` variables: the literal before the first, then each variable's name and the literal after it. */
interface PathParts {
  first: string;
  variables: [name: string, after: string][];
}

function pathParts(path: string): PathParts {
  const [first = '', ...rest] = path.split(/\{(\w+)\}/);
  const variables: [string, string][] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) variables.push([rest[i] ?? '', rest[i + 1] ?? '']);
  return { first, variables };
}

/** A value as it stands in an expanded href when it needs no encoding, else undefined. */
function plainValue(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  return UNRESERVED.test(text) ? text : undefined;
}

export type TemplateValues = Record<string, string | number | undefined>;

export class Endpoint {
  /** The RFC 6570 template a client sees (path plus the public query variables). */
  readonly template: string;
  /** The same path in @koa/router's syntax (`{id}` becomes `:id`). */
  readonly routePath: string;
  private readonly expander: UriTemplate;
  private readonly pathMatcher: UriTemplate;

  /** The path under the mount prefix. */
  readonly path: string;
  /** The path as its literals and variables, when it is only those. */
  private readonly pathParts: PathParts | undefined;
  /** The query variables an href may carry, public and hidden, in the template's order. */
  private readonly queryVariables: readonly string[];

  constructor(
    ownPath: string,
    readonly query: readonly string[] = [],
    /** Variables the server adds to its own links (page cursors) but does not advertise in the template. */
    readonly hiddenQuery: readonly string[] = [],
    /** The media types this endpoint answers with, in the server's order of preference. */
    readonly representations: readonly string[] = HAL_REPRESENTATIONS,
  ) {
    const path = MOUNT + ownPath;
    this.path = path;
    this.template = query.length === 0 ? path : `${path}{?${query.join(',')}}`;
    const everyVariable = [...query, ...hiddenQuery];
    this.queryVariables = everyVariable;
    this.expander = parseTemplate(everyVariable.length === 0 ? path : `${path}{?${everyVariable.join(',')}}`);
    this.pathMatcher = parseTemplate(path);
    this.routePath = path.replace(/\{(\w+)\}/g, ':$1');
    // Literal text and `{name}` variables only: then an href is the literals joined with the values.
    this.pathParts = /^(?:[\w.~/-]|\{\w+\})*$/.test(path) ? pathParts(path) : undefined;
  }

  /** A concrete href; unset and empty variables are left out, so `href({})` of a collection is its bare path. */
  href(values: TemplateValues = {}): string {
    const plain = this.plainHref(values);
    if (plain !== undefined) return plain;
    const filled: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      if (value !== undefined && value !== '') filled[name] = String(value);
    }
    return this.expander.fill(filled);
  }

  /**
   * The href without uri-templates, when that is a plain join: each value given expands as itself (RFC 6570
   * leaves unreserved characters as they are), path variables in place and query ones as `?name=value&…` in the
   * template's order. A create makes seven hrefs and a page of tickets dozens, and the template's own expansion
   * costs about a microsecond each. Undefined otherwise (a value to encode, a name the template lacks).
   */
  private plainHref(values: TemplateValues): string | undefined {
    const parts = this.pathParts;
    if (parts === undefined) return undefined;
    let given = 0;
    for (const name in values) if (values[name] !== undefined && values[name] !== '') given += 1;
    let href = parts.first;
    for (const [name, after] of parts.variables) {
      const text = plainValue(values[name]);
      if (text === undefined) return undefined;
      href += text + after;
    }
    let used = parts.variables.length;
    for (const name of this.queryVariables) {
      const value = values[name];
      if (value === undefined || value === '') continue;
      const text = plainValue(value);
      if (text === undefined) return undefined;
      href += `${used === parts.variables.length ? '?' : '&'}${name}=${text}`;
      used += 1;
    }
    return used === given ? href : undefined;
  }

  /** The path variables of a concrete path of this endpoint, or undefined when the path is not one of its own. */
  match(path: string): Record<string, string> | undefined {
    return this.pathMatcher.fromUri(path, { strict: true });
  }

  get templated(): boolean {
    return isTemplate(this.template);
  }
}

const CURSORS = ['after', 'before'] as const;
const SCHEMAS = [SCHEMA_JSON, JSON_TYPE];
const PAGE = [HTML];
const HEALTH = [HEALTH_JSON, JSON_TYPE];

export const endpoints = {
  home: new Endpoint('/'),
  tickets: new Endpoint('/tickets', ['page', 'size', 'status', 'q', 'import'], CURSORS),
  ticket: new Endpoint('/tickets/{id}'),
  ticketPromote: new Endpoint('/tickets/{id}/promote'),
  ticketMerge: new Endpoint('/tickets/{id}/merge'),
  faqs: new Endpoint('/faqs', ['page', 'size', 'status', 'q', 'source'], CURSORS),
  faq: new Endpoint('/faqs/{id}'),
  faqPublish: new Endpoint('/faqs/{id}/publish'),
  search: new Endpoint('/search', ['q']),
  tokens: new Endpoint('/tokens', ['page', 'size'], CURSORS),
  // Bulk imports: jobs that turn many submitted rows into tickets, and the problems of the rows they refused.
  imports: new Endpoint('/imports', ['page', 'size'], CURSORS),
  import: new Endpoint('/imports/{id}'),
  importRejections: new Endpoint('/imports/{id}/rejections', ['page', 'size'], CURSORS),
  importRejection: new Endpoint('/imports/{id}/rejections/{row}', [], [], [...HAL_REPRESENTATIONS, PROBLEM_JSON]),
  token: new Endpoint('/tokens/{id}'),

  // The first FAQ contract, kept alive for its callers; its links stay inside /v1/.
  v1Home: new Endpoint('/v1/'),
  v1Faqs: new Endpoint('/v1/faqs', ['page', 'size', 'status', 'q'], CURSORS),
  v1Faq: new Endpoint('/v1/faqs/{id}'),

  // What describes the API to people and machines.
  schema: new Endpoint('/schemas/{name}', [], [], SCHEMAS),
  relations: new Endpoint('/rels', [], [], PAGE),
  relation: new Endpoint('/rels/{rel}', [], [], PAGE),
  problem: new Endpoint('/problems/{kind}', [], [], PAGE),
  deprecation: new Endpoint('/docs/deprecations/{name}', [], [], PAGE),
  openapi: new Endpoint('/openapi.json', [], [], [OPENAPI_JSON, JSON_TYPE]),
  metrics: new Endpoint('/metrics', [], [], [PROMETHEUS_TEXT]),

  // The HAL explorer for people with a browser (it opens `url`, or the home document), and its built files.
  explorer: new Endpoint('/explorer', ['url'], [], PAGE),
  explorerAsset: new Endpoint('/explorer/assets/{name}', [], [], [JAVASCRIPT, CSS]),

  // Probes for operators' machinery (liveness, readiness); like /metrics, never linked from the home document.
  health: new Endpoint('/health', [], [], HEALTH),
  ready: new Endpoint('/ready', [], [], HEALTH),
} as const;

export type EndpointName = keyof typeof endpoints;
