// The store: one database, the queries of each resource over it.
import type { Kysely } from 'kysely';
import { type DatabaseOptions, openDatabase } from './database.ts';
import { FaqStore } from './faqs.ts';
import type { Database } from './schema.ts';
import { TicketStore } from './tickets.ts';

export interface Store {
  tickets: TicketStore;
  faqs: FaqStore;
  db: Kysely<Database>;
  close(): Promise<void>;
}

export async function openStore(options: DatabaseOptions): Promise<Store> {
  const db = await openDatabase(options);
  return {
    tickets: new TicketStore(db),
    faqs: new FaqStore(db),
    db,
    close: () => db.destroy(),
  };
}
