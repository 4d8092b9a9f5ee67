// A SQLite file of many tickets, made fast: the schema through the store's own migrations (so triggers, counters
// and search index are the real ones), then one transaction of prepared inserts straight into SQLite.
import { openSqlite } from '../../src/store/engines/sqlite.ts';
import { openStore } from '../../src/store/index.ts';

const STATUSES = ['open', 'pending', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

export async function fillTickets(path: string, count: number): Promise<void> {
  const store = await openStore({ url: `file:${path}`, synchronous: 'NORMAL' });
  await store.close();
  const sqlite = openSqlite(path, 'OFF');
  const insert = sqlite.prepare(`INSERT INTO tickets (title, description, status, priority, requester, assignee, tags, version, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, NULL, ?, 1, ?, ?)`);
  const at = new Date('2026-01-01T00:00:00Z').toISOString();
  sqlite.transaction(() => {
    for (let i = 1; i <= count; i++) {
      insert.run(`Ticket ${i}: printer ${i % 97} fails`, `Reported as case ${i}.`, STATUSES[i % 4], PRIORITIES[i % 4], `customer${i % 5000}@example.com`, '["bench"]', at, at);
    }
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
}
