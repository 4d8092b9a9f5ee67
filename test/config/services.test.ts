// Configuration of the split: which services a process runs, where the FAQ service is, and under which path
// a service is mounted. A bad value stops start-up with a ConfigError naming the variable.
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { configErrorOf } from '../helpers/config.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { spawnServer } from '../helpers/process.ts';

const FAQ_API = 'http://faqs.internal:3000/';

test('by default one process runs both services and calls no FAQ service', (t) => {
  const config = loadConfig({});
  t.deepEqual([...config.services].sort(), ['faqs', 'tickets']);
  t.is(config.faqApi, undefined);
  t.is(config.basePath, '');
  t.is(config.publicUrl, undefined);
});

test('SERVICES names one service or both, in any order and case', (t) => {
  t.deepEqual([...loadConfig({ SERVICES: 'faqs' }).services], ['faqs']);
  t.deepEqual([...loadConfig({ SERVICES: 'FAQS, Tickets' }).services].sort(), ['faqs', 'tickets']);
  t.deepEqual([...loadConfig({ SERVICES: 'tickets', FAQ_API }).services], ['tickets']);
});

test('SERVICES with an unknown or empty name is refused, naming SERVICES and the value', (t) => {
  for (const value of ['search', 'tickets,', 'tickets;faqs', 'all', ',']) {
    const error = configErrorOf({ SERVICES: value });
    t.is(error.variable, 'SERVICES', value);
    t.true(error.message.includes(value), error.message);
  }
});

test('the ticket service alone needs FAQ_API, and only it may have one', (t) => {
  t.is(configErrorOf({ SERVICES: 'tickets' }).variable, 'FAQ_API');
  t.is(configErrorOf({ SERVICES: 'tickets,faqs', FAQ_API }).variable, 'FAQ_API');
  t.is(configErrorOf({ SERVICES: 'faqs', FAQ_API }).variable, 'FAQ_API');
  t.like(
    loadConfig({ SERVICES: 'tickets', FAQ_API: 'https://faqs.example/kb/', FAQ_API_TOKEN: 'hd_0123456789abcdefghij' }),
    {
      faqApi: 'https://faqs.example/kb/',
      faqApiToken: 'hd_0123456789abcdefghij',
    },
  );
});

test('FAQ_API and PUBLIC_URL must be absolute http(s) URLs without query, fragment or credentials', (t) => {
  const bad = [
    'faqs.internal:3000',
    '/kb/',
    'ftp://faqs.internal/',
    'http://faqs.internal/?x=1',
    'http://faqs.internal/#top',
    'http://user:pw@faqs.internal/',
    'http://',
  ];
  for (const value of bad) {
    const faqApi = configErrorOf({ SERVICES: 'tickets', FAQ_API: value });
    t.is(faqApi.variable, 'FAQ_API', value);
    t.true(faqApi.message.includes(value), faqApi.message);
    t.is(configErrorOf({ PUBLIC_URL: value }).variable, 'PUBLIC_URL', value);
  }
  t.is(loadConfig({ PUBLIC_URL: 'https://desk.example' }).publicUrl, 'https://desk.example/');
});

test('FAQ_API_TOKEN, FAQ_API_TIMEOUT_MS and FAQ_API_COOLDOWN_MS are checked', (t) => {
  t.is(configErrorOf({ SERVICES: 'tickets', FAQ_API, FAQ_API_TOKEN: 'short' }).variable, 'FAQ_API_TOKEN');
  t.is(
    configErrorOf({ SERVICES: 'tickets', FAQ_API, FAQ_API_TOKEN: 'has a space in it somewhere' }).variable,
    'FAQ_API_TOKEN',
  );
  t.is(configErrorOf({ FAQ_API_TIMEOUT_MS: '0' }).variable, 'FAQ_API_TIMEOUT_MS');
  t.is(configErrorOf({ FAQ_API_COOLDOWN_MS: '1.5s' }).variable, 'FAQ_API_COOLDOWN_MS');
  t.like(loadConfig({ FAQ_API_TIMEOUT_MS: '500', FAQ_API_COOLDOWN_MS: '2000' }), {
    faqApiTimeoutMs: 500,
    faqApiCooldownMs: 2000,
  });
});

test('BASE_PATH is a path prefix without a trailing slash', (t) => {
  t.is(loadConfig({ BASE_PATH: '/kb' }).basePath, '/kb');
  t.is(loadConfig({ BASE_PATH: '/api/v2' }).basePath, '/api/v2');
  t.is(loadConfig({ BASE_PATH: '/' }).basePath, '');
  for (const value of ['kb', '/kb/', '/k b', '//kb', '/kb?x', 'http://x/kb']) {
    const error = configErrorOf({ BASE_PATH: value });
    t.is(error.variable, 'BASE_PATH', value);
    t.true(error.message.includes(value), error.message);
  }
});

test('the ticket service alone without FAQ_API does not start, and says why in one line', async (t) => {
  const database = await createTestDatabase();
  try {
    const error = await t.throwsAsync(spawnServer({ SERVICES: 'tickets', DATABASE_URL: database.url }));
    t.regex(error?.message ?? '', /bad configuration: FAQ_API: required with SERVICES=tickets/);
  } finally {
    await database.drop();
  }
});

test("ALLOWED_HOSTS defaults to the loopback names, always adds PUBLIC_URL's host, and refuses what is no host", (t) => {
  t.deepEqual(loadConfig({}).allowedHosts, ['localhost', '127.0.0.1', '[::1]']);
  t.deepEqual(loadConfig({ PUBLIC_URL: 'https://desk.example:8443/' }).allowedHosts, [
    'localhost',
    '127.0.0.1',
    '[::1]',
    'desk.example',
  ]);
  t.deepEqual(loadConfig({ ALLOWED_HOSTS: ' Desk.Example , desk.example:8443,[::1]' }).allowedHosts, [
    'desk.example',
    'desk.example:8443',
    '[::1]',
  ]);
  t.deepEqual(loadConfig({ ALLOWED_HOSTS: 'desk.example', PUBLIC_URL: 'https://desk.example' }).allowedHosts, [
    'desk.example',
  ]);
  for (const value of [
    'http://desk.example',
    'desk.example/kb',
    'user@desk.example',
    'desk.example:80',
    'desk example',
    '::1',
    'desk.example:99999',
  ]) {
    const error = configErrorOf({ ALLOWED_HOSTS: value });
    t.is(error.variable, 'ALLOWED_HOSTS', value);
    t.true(error.message.includes(value.trim().toLowerCase()), error.message);
  }
});
