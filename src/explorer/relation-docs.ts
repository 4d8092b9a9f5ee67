// What each relation means, as the API explains it: its home document's `help` links, one per relation the
// caller may follow, read once per token (another token may follow other relations).
import { isHal, linkRows } from './hal.ts';
import { send } from './http.ts';
import { currentToken } from './session.ts';
import type { RelationDoc } from './views/links.ts';

const byToken = new Map<string, Promise<ReadonlyMap<string, RelationDoc>>>();

async function load(home: string): Promise<ReadonlyMap<string, RelationDoc>> {
  const { answer } = await send('GET', home, { internal: true });
  const docs = new Map<string, RelationDoc>();
  if (!answer || !isHal(answer.contentType, answer.json)) return docs;
  for (const row of linkRows(answer.json)) {
    if (row.rel === 'help' && row.link.name && !row.link.templated)
      docs.set(row.link.name, { href: row.link.href, summary: row.link.title });
  }
  return docs;
}

/** The relation pages the home document at `home` links, for the token in use. */
export function relationDocs(home: string): Promise<ReadonlyMap<string, RelationDoc>> {
  const token = currentToken();
  let docs = byToken.get(token);
  if (!docs) {
    docs = load(home).catch(() => new Map());
    byToken.set(token, docs);
  }
  return docs;
}
