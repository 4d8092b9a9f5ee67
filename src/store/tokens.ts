// Queries for bearer tokens. Secrets never reach the database: only their hashes do.
import type { Kysely } from 'kysely';
import type { Role } from '../domain/access.ts';
import type { Token, TokenFields } from '../domain/tokens.ts';
import { now } from './clock.ts';
import { type Page, type PageRequest, countRows, inSlice, readPage } from './pagination.ts';
import type { Database, TokensTable } from './schema.ts';
import type { Writes } from './writes.ts';

type Row = Omit<TokensTable, 'id'> & { id: number };

function toToken(row: Row): Token {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    email: row.email,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export class TokenStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly writes: Writes,
  ) {}

  async create(fields: TokenFields, secretHash: string): Promise<Token> {
    const row = await this.writes.run((db) =>
      db
        .insertInto('tokens')
        .values({ ...fields, secret_hash: secretHash, created_at: now() })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toToken(row);
  }

  async find(id: number): Promise<Token | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toToken(row);
  }

  /** The live token with this secret hash, if any. */
  async findLive(secretHash: string): Promise<Token | undefined> {
    const row = await this.db
      .selectFrom('tokens')
      .selectAll()
      .where('secret_hash', '=', secretHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && toToken(row);
  }

  async revoke(id: number): Promise<boolean> {
    const result = await this.writes.run((db) =>
      db
        .updateTable('tokens')
        .set({ revoked_at: now() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  async list(request: PageRequest): Promise<Page<Token>> {
    const live = this.db.selectFrom('tokens').where('revoked_at', 'is', null);
    const page = await readPage(
      request,
      () => countRows(live),
      (slice) => inSlice(live.selectAll(), slice).execute(),
    );
    return { ...page, items: page.items.map(toToken) };
  }
}
