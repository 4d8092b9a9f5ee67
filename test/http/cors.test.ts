// CORS for browser clients hosted elsewhere (HAL Explorer): only configured origins are let in, with the
// request headers the API reads and the response headers a hypermedia client needs; none by default.
import test from 'ava';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const EXPLORER = 'http://explorer.example';
let allowing: TestServer;
let byDefault: TestServer;

test.before(async () => {
  [allowing, byDefault] = await Promise.all([startTestServer({ CORS_ORIGINS: EXPLORER }), startTestServer()]);
});
test.after.always(() => Promise.all([allowing?.close(), byDefault?.close()]));

const listed = (header: string | null) =>
  (header ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);

function preflight(server: TestServer, origin: string, method = 'PATCH') {
  return server.fetch('/tickets/1', {
    method: 'OPTIONS',
    headers: {
      Authorization: '',
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'authorization, if-match, if-none-match, content-type, prefer',
    },
  });
}

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-expose-headers',
  'access-control-allow-credentials',
];

function corsHeadersOf(response: Response): string[] {
  return CORS_HEADERS.filter((name) => response.headers.has(name));
}

test('a preflight from an allowed origin is allowed, with the headers the API reads', async (t) => {
  for (const method of ['PATCH', 'PUT', 'DELETE', 'POST']) {
    const response = await preflight(allowing, EXPLORER, method);
    t.true(response.status === 204 || response.status === 200, `${response.status}`);
    t.is(response.headers.get('access-control-allow-origin'), EXPLORER);
    t.true(listed(response.headers.get('access-control-allow-methods')).includes(method.toLowerCase()), method);
    const allowed = listed(response.headers.get('access-control-allow-headers'));
    for (const header of ['authorization', 'if-match', 'if-none-match', 'content-type', 'prefer'])
      t.true(allowed.includes(header), header);
    t.true(listed(response.headers.get('vary')).includes('origin'));
  }
});

test('a request from an allowed origin may read Location, ETag, Link and Allow, on success and on error', async (t) => {
  const read = await allowing.fetch('/', { headers: { Origin: EXPLORER } });
  t.is(read.status, 200);
  t.is(read.headers.get('access-control-allow-origin'), EXPLORER);
  const exposed = listed(read.headers.get('access-control-expose-headers'));
  for (const header of ['location', 'etag', 'link', 'allow']) t.true(exposed.includes(header), header);
  // The explorer must be able to read why it was refused, and the challenge to sign in.
  const refused = await allowing.fetch('/tickets', { headers: { Origin: EXPLORER, Authorization: '' } });
  t.is(refused.status, 401);
  t.is(refused.headers.get('access-control-allow-origin'), EXPLORER);
  // Bearer tokens, not cookies: credentials mode is never switched on.
  t.is(read.headers.get('access-control-allow-credentials'), null);
});

test('another origin gets no CORS headers, on preflight or request', async (t) => {
  for (const origin of [
    'http://evil.example',
    'http://explorer.example.evil.example',
    'https://explorer.example',
    'null',
  ]) {
    t.deepEqual(corsHeadersOf(await preflight(allowing, origin)), [], origin);
    t.deepEqual(corsHeadersOf(await allowing.fetch('/', { headers: { Origin: origin } })), [], origin);
  }
});

test('without CORS_ORIGINS no origin is allowed', async (t) => {
  t.deepEqual(corsHeadersOf(await preflight(byDefault, EXPLORER)), []);
  t.deepEqual(corsHeadersOf(await byDefault.fetch('/', { headers: { Origin: EXPLORER } })), []);
});
