// The small HTML pages people read: escaped text in one plain, self-contained layout (no outside assets).
import { endpoints } from '../../links/registry.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Prose written with `backticks` around code, as the tables behind these pages write it: escaped, and each
 * code span set as <code> rather than shown with its backticks.
 */
export function proseHtml(text: string): string {
  return escapeHtml(text).replace(/`([^`]*)`/g, '<code>$1</code>');
}

/** A page; `body` is trusted HTML made by this module's callers from escaped parts. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Helpdesk API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}a{color:#0b5cad}</style></head>
<body><p><a href="${escapeHtml(endpoints.home.href())}">Helpdesk API</a></p><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}
