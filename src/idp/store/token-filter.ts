/**
 * @module idp/store/token-filter
 * What selects tokens in the SQL stores (SQLite and PostgreSQL): a `TokenQuery`, or one token or family,
 * and which of its members are compared for equality with which column. Each store turns it into its own
 * dialect's `WHERE`.
 */
import type { TokenQuery } from './types.ts';

export interface TokenFilter extends Omit<TokenQuery, 'limit'> {
  id?: string;
  familyId?: string;
}

/** The filter members compared for equality, and their columns (all indexed with the tenant). */
export const EQUALITY_COLUMNS = [
  ['id', 'id'],
  ['familyId', 'family_id'],
  ['clientId', 'client_id'],
  ['subject', 'subject'],
] as const;

/** The token table's key and queried columns (column → record field), the same in every SQL store. */
export const TOKEN_TABLE = {
  table: 'tokens',
  key: ['tenant', 'id'],
  columns: {
    tenant: 'tenant',
    id: 'id',
    client_id: 'clientId',
    subject: 'subject',
    family_id: 'familyId',
    expires_at: 'expiresAt',
    revoked_at: 'revokedAt',
    consumed_at: 'consumedAt',
  },
} as const;
