// Bearer tokens: random secrets shown once, kept only as SHA-256 hashes (enough for 32 random bytes).
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from './access.ts';

export interface Token {
  id: number;
  name: string;
  role: Role;
  email: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface TokenFields {
  name: string;
  role: Role;
  email: string | null;
}

/** A new secret: 32 random bytes, prefixed so that leaked tokens are easy to recognise in logs and scanners. */
export function newSecret(): string {
  return `hd_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
