import { spawnSync } from 'node:child_process';
import test from 'ava';
import { type TestServer, json, startTestServer } from '../../helpers/server.ts';

let retired: TestServer;
test.before(async () => {
  retired = await startTestServer({ V1_DEPRECATED_AT: '2020-01-01', V1_SUNSET: '2021-01-01' });
});
test.after.always(() => retired.close());

test('after its sunset, every v1 address answers 410 Gone, still announcing the deprecation, and writes nothing', async (t) => {
  const before = (await (await retired.fetch('/faqs')).json()) as { page: { totalElements: number } };
  for (const [path, init] of [
    ['/v1/', {}],
    ['/v1/faqs', {}],
    ['/v1/faqs/1', {}],
    ['/v1/faqs', json('POST', { question: 'Written after the sunset?' })],
  ] as const) {
    const response = await retired.fetch(path, init);
    t.is(response.status, 410, path);
    t.is(response.headers.get('content-type'), 'application/problem+json', path);
    t.is(response.headers.get('sunset'), new Date('2021-01-01').toUTCString(), path);
    t.regex(response.headers.get('link') ?? '', /rel="successor-version"/, path);
    t.regex(((await response.json()) as { detail: string }).detail, /retired/, path);
  }
  const after = (await (await retired.fetch('/faqs')).json()) as { page: { totalElements: number } };
  t.is(after.page.totalElements, before.page.totalElements);
  t.is((await retired.fetch('/faqs')).status, 200, 'the current contract is unaffected');
});

test('a sunset that does not come after the deprecation stops start-up with a line naming V1_SUNSET', (t) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      V1_DEPRECATED_AT: '2027-01-01',
      V1_SUNSET: '2026-01-01',
      DATABASE_URL: 'file:/nonexistent-never-opened/x.db',
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  t.is(result.status, 2);
  t.regex(result.stderr.trim(), /^helpdesk: bad configuration: V1_SUNSET: must come after V1_DEPRECATED_AT/);
  t.is(result.stderr.trim().split('\n').length, 1);
});
