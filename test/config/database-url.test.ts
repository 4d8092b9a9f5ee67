// DATABASE_URL picks the engine: file: is SQLite, postgres:// or postgresql:// is PostgreSQL; anything else stops
// start-up with one line that never shows a password.
import test from 'ava';
import { ConfigError, loadConfig, redactDatabaseUrl } from '../../src/config.ts';
import { engineOf } from '../../src/store/database.ts';

test('file: URLs select SQLite and PostgreSQL URLs of either scheme select PostgreSQL', (t) => {
  const cases = [
    ['file:./data/helpdesk.db', 'sqlite'],
    ['file:/var/lib/helpdesk/helpdesk.db', 'sqlite'],
    ['postgres://helpdesk@db.internal:5432/helpdesk', 'postgres'],
    ['postgresql://helpdesk:s3cret@127.0.0.1/helpdesk?sslmode=disable', 'postgres'],
    ['postgres:///helpdesk?host=/var/run/postgresql', 'postgres'],
  ] as const;
  for (const [url, engine] of cases) {
    t.is(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
    t.is(engineOf(url), engine, url);
  }
});

test('any other DATABASE_URL is refused with one line naming both accepted forms', (t) => {
  for (const url of [
    'mysql://root@localhost/helpdesk',
    'file:',
    'postgres://db.internal',
    'postgres://',
    'helpdesk.db',
    'sqlite:helpdesk.db',
  ]) {
    const error = t.throws(() => loadConfig({ DATABASE_URL: url }), { instanceOf: ConfigError });
    t.is(error?.variable, 'DATABASE_URL');
    t.false(error?.message.includes('\n'));
    t.regex(error?.message ?? '', /expected file:PATH \(SQLite\) or postgres:\/\/.+ \(PostgreSQL\)/);
  }
});

test('a password in DATABASE_URL never reaches a message or a log line', (t) => {
  const error = t.throws(() => loadConfig({ DATABASE_URL: 'postgres://helpdesk:hunter2@db.internal' }), {
    instanceOf: ConfigError,
  });
  t.false(error?.message.includes('hunter2'));
  t.true(error?.message.includes('postgres://helpdesk:***@db.internal'));
  t.is(redactDatabaseUrl('postgresql://u:p4ss@h:5432/db'), 'postgresql://u:***@h:5432/db');
  t.is(redactDatabaseUrl('postgres://u@h/db'), 'postgres://u@h/db');
  t.is(redactDatabaseUrl('file:./data/helpdesk.db'), 'file:./data/helpdesk.db');
});
