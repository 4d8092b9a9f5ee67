// Human pages: what each link relation means, what each problem type means, and why FAQ v1 is deprecated.
import type { Context } from 'koa';
import { PROBLEM_TYPES, type ProblemKind, notFound } from '../../http/problem.ts';
import type { Routes } from '../../http/routing.ts';
import { absoluteOn, publicOrigin } from '../../http/origin.ts';
import { endpoints } from '../../links/registry.ts';
import { pathParam } from '../load.ts';
import { RELATIONS } from '../../links/relations.ts';
import { escapeHtml, htmlPage, proseHtml } from './html.ts';

function sendPage(ctx: Context, title: string, body: string): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = htmlPage(title, body);
}

const DEPRECATIONS: Record<string, { title: string; body: string }> = {
  'faq-v1': {
    title: 'FAQ contract v1 is deprecated',
    body: `<p>The first FAQ contract, under <code>${escapeHtml(endpoints.v1Home.href())}</code>, created FAQs from <code>{"question", "source"}</code>
with <code>source</code> a ticket id. The current contract, linked from <a href="${escapeHtml(endpoints.home.href())}">the home document</a>, adds
<code>related</code> (other FAQs, by id or URI), names tickets and FAQs by URI in its answers, and offers
HAL-FORMS templates for every action.</p>
<p>Both contracts read and write the same FAQs. v1 answers carry <code>Deprecation</code> and <code>Sunset</code>
headers, and a <code>Link</code> with <code>rel="successor-version"</code> to the same resource in the current
contract. To move: start from <code>${escapeHtml(endpoints.home.href())}</code>, follow <code>faqs</code>, and send <code>source</code> as before
(an id still works) plus <code>related</code> if you want it. After the sunset date, <code>${escapeHtml(endpoints.v1Home.href())}</code> will answer
410 Gone.</p>`,
  },
};

/** The index of the pages above: every relation, every problem type, and where tools read the same API. */
function indexBody(origin: string): string {
  const item = (href: string, name: string, text: string) =>
    `<li><a href="${escapeHtml(absoluteOn(origin, href))}"><code>${escapeHtml(name)}</code></a>: ${proseHtml(text)}</li>`;
  const relations = Object.entries(RELATIONS).map(([rel, { summary }]) =>
    item(endpoints.relation.href({ rel }), rel, summary),
  );
  const problems = Object.entries(PROBLEM_TYPES).map(([kind, { status, title }]) =>
    item(endpoints.problem.href({ kind }), kind, `${status}, ${title}`),
  );
  return `<p>Start at <a href="${escapeHtml(absoluteOn(origin, endpoints.home.href()))}">the home document</a> and follow its links. Tools read the same API described in OpenAPI at <a href="${escapeHtml(absoluteOn(origin, endpoints.openapi.href()))}"><code>${escapeHtml(endpoints.openapi.href())}</code></a>.</p>
<h2>Relations</h2><ul>${relations.join('')}</ul>
<h2>Problem types</h2><ul>${problems.join('')}</ul>`;
}

export function docsRoutes(routes: Routes): void {
  routes.get(endpoints.relations, (ctx) => sendPage(ctx, 'Relations', indexBody(publicOrigin(ctx))));

  routes.get(endpoints.relation, (ctx) => {
    const rel = pathParam(ctx, 'rel');
    const relation = Object.hasOwn(RELATIONS, rel) ? RELATIONS[rel] : undefined;
    if (!relation) throw notFound(`This API defines no relation "${rel}".`);
    sendPage(ctx, `Relation: ${rel}`, `<p>${proseHtml(relation.summary)}</p><p>${proseHtml(relation.usage)}</p>`);
  });

  routes.get(endpoints.problem, (ctx) => {
    const kind = pathParam(ctx, 'kind');
    if (!Object.hasOwn(PROBLEM_TYPES, kind)) throw notFound(`This API defines no problem type "${kind}".`);
    const { status, title, meaning } = PROBLEM_TYPES[kind as ProblemKind];
    sendPage(ctx, title, `<p>HTTP status <code>${status}</code>.</p><p>${proseHtml(meaning)}</p>`);
  });

  routes.get(endpoints.deprecation, (ctx) => {
    const name = pathParam(ctx, 'name');
    const page = Object.hasOwn(DEPRECATIONS, name) ? DEPRECATIONS[name] : undefined;
    if (!page) throw notFound(`No deprecation is called "${name}".`);
    sendPage(ctx, page.title, page.body);
  });
}
