// The explorer's page: a small HTML shell that loads the built script and stylesheet. It is the same at every
// URL it is served on; the script reads the address bar to know which resource to open.
import { endpoints } from '../../links/registry.ts';
import type { ExplorerBuild } from './build.ts';

/**
 * Nothing but this server: the page can load no script, style, font or image from another host, and can talk
 * to no other origin, whatever a resource's links say.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The page. Its body names where the home document and the explorer are (from the registry, so under
 * BASE_PATH): the built script is the same file at every mount and learns them here.
 */
export function shellPage(build: Pick<ExplorerBuild, 'script' | 'stylesheet'>): string {
  const asset = (name: string) => endpoints.explorerAsset.href({ name });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Helpdesk API explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset(build.stylesheet)}">
<script type="module" src="${asset(build.script)}"></script>
</head>
<body data-home="${endpoints.home.href()}" data-explorer="${endpoints.explorer.template}">
<div id="explorer"><p class="booting">Loading the explorer…</p></div>
<noscript><p>The explorer needs JavaScript. Programs can read this API as JSON: ask for <code>application/hal+json</code>.</p></noscript>
</body>
</html>
`;
}
