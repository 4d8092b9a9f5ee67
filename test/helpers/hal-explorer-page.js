// HAL Explorer's request pattern (toedter/hal-explorer: src/app/request/request.service.ts, request.component.ts,
// response-explorer.component.ts), redone in plain browser script so that a page on another origin can walk the
// API exactly as HAL Explorer would, through CORS. Faithful to its quirks, not to what would be sensible:
// - every request carries the custom headers (here Authorization) and HAL Explorer's Accept, HAL-FORMS first;
// - a link's href is resolved against the URL of the response it came in (then decodeURI'd, as it does);
// - a template is sent to its `target`, else the `self` href, else the response URL, exactly as written;
// - a template's body is built as text from its properties' values, a choice limited to one value unquoted-ly
//   wrapped in quotes, anything else JSON.stringify'd; values that are empty are left out;
// - option links are fetched with only `Accept` (application/json, or the link's type): no custom headers;
// - a write from a link's button (not a template) first sends HEAD, looks for `Link: <…>; rel="profile"` and
//   fetches that with `Accept: application/schema+json` (and the custom headers).
// Angular's HttpRequest upper-cases the method it is given ('Patch' from the Command enum becomes PATCH).
/* global window, document */
const ACCEPT = 'application/prs.hal-forms+json, application/hal+json, application/json, */*';
const NO_VALUE = '<No Value Selected>';

const explorer = {
  customHeaders: [],
  /** The response shown, as response-explorer keeps it. */
  shown: undefined,
  /** What the page could read of each response: status and the headers it needed. */
  exchanges: [],
  /** Templates seen: name and target as written. */
  templates: [],
};

function requestHeaders() {
  const headers = new Headers();
  for (const [key, value] of explorer.customHeaders) headers.append(key, value);
  if (!explorer.customHeaders.some(([key]) => key.toLowerCase() === 'accept')) headers.append('Accept', ACCEPT);
  return headers;
}

async function exchange(method, uri, init) {
  const response = await fetch(uri, { ...init, method: method.toUpperCase() });
  const text = await response.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text, as Angular's HttpClient would fail to parse it
  }
  const seen = {
    method: method.toUpperCase(),
    uri,
    status: response.status,
    url: response.url,
    contentType: response.headers.get('content-type'),
    location: response.headers.get('location'),
    etag: response.headers.get('etag'),
    link: response.headers.get('link'),
    requestId: response.headers.get('x-request-id'),
  };
  explorer.exchanges.push(seen);
  return { ...seen, body };
}

/** RequestService.requestUri: the one way a GET or a write goes out, and its answer becomes the shown response. */
async function requestUri(uri, httpMethod, body, contentType) {
  const headers = requestHeaders();
  const lower = httpMethod.toLowerCase();
  if (contentType || lower === 'post' || lower === 'put' || lower === 'patch')
    headers.set('Content-Type', contentType || 'application/json; charset=utf-8');
  const response = await exchange(httpMethod, uri, { headers, body });
  show(response);
  return response;
}

/** ResponseExplorerComponent.processJsonObject: links, self link and (in HAL-FORMS only) templates. */
function show(response) {
  const json = typeof response.body === 'object' && response.body !== null ? response.body : {};
  const isHalForms = Boolean(
    response.contentType && response.contentType.startsWith('application/prs.hal-forms+json') && json._templates,
  );
  const links = json._links || {};
  explorer.shown = {
    responseUrl: response.url,
    json,
    isHalForms,
    selfHref: links.self && !Array.isArray(links.self) ? links.self.href : undefined,
    templates: isHalForms ? json._templates : {},
  };
  for (const [name, template] of Object.entries(explorer.shown.templates))
    explorer.templates.push({ name, target: template.target });
}

/** uri-templates' fill({}): every expression expands to nothing when no variable is given. */
const fillEmpty = (uri) => uri.replace(/\{[^}]*\}/g, '');
const isTemplated = (uri) => /\{[^}]+\}/.test(uri);

/** ResponseExplorerComponent.getRelTargetUrl for a GET, then RequestService.processCommand(Get, …). */
function relTargetUrl(href, command) {
  let target = href;
  if (explorer.shown.isHalForms) {
    for (const template of Object.values(explorer.shown.templates)) {
      if (template.method === command.toLowerCase() && template.target) target = template.target;
    }
  }
  if (explorer.shown.responseUrl) target = decodeURI(new URL(target, explorer.shown.responseUrl).href);
  return target;
}

/** Clicking GET on a link of the shown response (a templated one is sent with its variables left empty). */
async function followLink(rel) {
  const link = explorer.shown.json._links[rel];
  const uri = relTargetUrl(link.href, 'Get');
  return requestUri(isTemplated(uri) ? fillEmpty(uri) : uri, 'GET');
}

/** Entering a URI in the address field and pressing Go. */
const go = (uri) => requestUri(uri, 'GET');

/** RequestService.computeHalFormsOptionsFromLink: only Accept, none of the custom headers. */
async function optionsFromLink(property) {
  const link = property.options.link;
  const href = isTemplated(link.href) ? fillEmpty(link.href) : link.href;
  const response = await exchange('GET', href, { headers: { Accept: link.type || 'application/json' } });
  if (response.status < 200 || response.status > 299) return undefined;
  const body = response.body;
  if (
    response.contentType &&
    (response.contentType.startsWith('application/prs.hal-forms+json') ||
      response.contentType.startsWith('application/hal+json')) &&
    body._embedded
  ) {
    return body._embedded[Object.keys(body._embedded)[0]];
  }
  return body;
}

/** RequestComponent's needInfo handler: each property's value as the dialog opens. */
async function prefill(properties) {
  for (const property of properties) {
    if (!property.options) continue;
    const options = property.options;
    if (!options.inline && options.link) options.inline = await optionsFromLink(property);
    if (!options.inline) {
      property.options = undefined;
      continue;
    }
    if (options.selectedValues)
      property.value = options.maxItems === 1 ? options.selectedValues[0] : options.selectedValues;
    else if (!property.required && !(options.minItems >= 1)) property.value = NO_VALUE;
    else if (property.required) {
      const valueField = options.valueField || 'value';
      const first = typeof options.inline[0] === 'string' ? options.inline[0] : options.inline[0][valueField];
      property.value = options.maxItems === 1 ? first : [first];
    }
  }
}

/** RequestComponent.propertyChanged: the body as text, for a method that has one. */
function bodyOf(properties) {
  const members = [];
  for (const item of properties) {
    if (!(item.name && item.value && item.value !== NO_VALUE)) continue;
    const optionsAsArray = !item.options || item.options.maxItems !== 1;
    members.push(`  "${item.name}": ${optionsAsArray ? JSON.stringify(item.value) : `"${item.value}"`}`);
  }
  return `{\n${members.join(',\n')}\n}`;
}

/** ResponseExplorerComponent.getUrlForTemplateTarget: as written, never resolved. */
const urlForTemplateTarget = (target) => target || explorer.shown.selfHref || explorer.shown.responseUrl;

/**
 * Opening a template of the shown response, typing `values` into its fields (the others keep what the dialog
 * put there) and pressing the method's button.
 */
async function submitTemplate(name, values = {}) {
  const template = JSON.parse(JSON.stringify(explorer.shown.templates[name]));
  const uri = urlForTemplateTarget(template.target);
  const method = template.method ? template.method[0].toUpperCase() + template.method.slice(1).toLowerCase() : 'Get';
  const properties = template.properties || [];
  await prefill(properties);
  for (const property of properties) if (property.name in values) property.value = values[property.name];
  const body = bodyOf(properties);
  explorer.lastContentType = template.contentType;
  return requestUri(uri, method, method === 'Get' || method === 'Delete' ? undefined : body, template.contentType);
}

/**
 * A write from a link's button, as HAL Explorer offers with "all HTTP methods for links": HEAD first, the
 * profile's JSON Schema if the Link header names one, then the body the person typed. The content type is the
 * last template's (RequestComponent never resets it), else application/json.
 */
async function writeFromLink(rel, command, typedBody) {
  const uri = relTargetUrl(explorer.shown.json._links[rel].href, command);
  const target = isTemplated(uri) ? fillEmpty(uri) : uri;
  const head = await exchange('HEAD', target, { headers: requestHeaders() });
  let schema;
  let profileUri;
  if (head.link) {
    for (const w3cLink of head.link.split(',')) {
      const parts = w3cLink.split(';');
      const href = parts[0].slice(1, parts[0].length - 1);
      const quoted = parts[1].split('=')[1];
      if (quoted.slice(1, quoted.length - 1).toLowerCase() === 'profile') profileUri = href;
    }
  }
  if (profileUri) {
    const headers = new Headers({ Accept: 'application/schema+json' });
    for (const [key, value] of explorer.customHeaders) headers.append(key, value);
    schema = (await exchange('GET', profileUri, { headers })).body;
  }
  const response = await requestUri(target, command, JSON.stringify(typedBody), explorer.lastContentType);
  return { ...response, head, profileUri, schema };
}

window.halExplorer = {
  setHeaders: (headers) => {
    explorer.customHeaders = headers;
  },
  go,
  followLink,
  submitTemplate,
  writeFromLink,
  shown: () => explorer.shown,
  exchanges: () => explorer.exchanges,
  templates: () => explorer.templates,
};
document.body.dataset.ready = 'true';
