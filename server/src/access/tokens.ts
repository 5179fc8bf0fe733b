/**
 * Access tokens: a base64url JSON payload and its HMAC-SHA256 signature, `payload.signature`.
 * They are bearer credentials (whoever holds one has its role), checked without any lookup but
 * the revocation list kept by `ShareLinks`. The key is the server secret: `ROTO_SECRET`, or one
 * generated once and kept in `DATA_DIR/secret.key` (mode 0600) so tokens survive restarts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RotoError } from '@roto/shared';
import { z } from 'zod';

/** What a token lets its holder do: `owner` manages links and edits, `editor` edits, `viewer` watches. */
export const TokenRoleSchema = z.enum(['owner', 'editor', 'viewer']);
export type TokenRole = z.infer<typeof TokenRoleSchema>;

/** The link id every owner token carries (owner tokens cannot be revoked, only the secret rotated). */
export const OWNER_LINK_ID = 'owner';

/** The signed claims of a token. */
export const TokenClaimsSchema = z.strictObject({
  v: z.literal(1),
  sid: z.string().min(1).max(128),
  role: TokenRoleSchema,
  linkId: z.string().min(1).max(64),
  /** Expiry in ms since the epoch; null: never. */
  exp: z.number().int().positive().nullable(),
});
export type TokenClaims = z.infer<typeof TokenClaimsSchema>;

/** The file under DATA_DIR holding the generated secret. */
export const SECRET_FILE = 'secret.key';

/** Signs and checks tokens with one secret. */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string | Uint8Array) {
    this.key = Buffer.from(secret);
    if (this.key.length < 32) throw new Error('a token secret must be at least 32 bytes');
  }

  /** Makes a token for `claims` (the version field is added). */
  sign(claims: Omit<TokenClaims, 'v'>): string {
    const payload = Buffer.from(JSON.stringify({ v: 1, ...claims })).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /**
   * Checks a token's signature and expiry and returns its claims. UNAUTHORIZED (with
   * `details.reason`: `malformed`, `signature`, `expired`) for anything else.
   */
  verify(token: string, now = Date.now()): TokenClaims {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) throw invalid('malformed', 'This token is malformed.');
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(payload);
    // Equal lengths first: timingSafeEqual throws on a length mismatch (and length is public anyway).
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw invalid('signature', 'This token was not issued by this server.');
    let claims: TokenClaims;
    try {
      claims = TokenClaimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      throw invalid('malformed', 'This token is malformed.');
    }
    if (claims.exp !== null && claims.exp <= now)
      throw invalid('expired', `This link expired at ${new Date(claims.exp).toISOString()}.`, {
        expiredAt: new Date(claims.exp).toISOString(),
      });
    return claims;
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}

function invalid(reason: string, message: string, extra: Record<string, unknown> = {}): RotoError {
  return new RotoError('UNAUTHORIZED', message, { reason, ...extra });
}

/**
 * The server secret: `configured` when set, else the one in `DATA_DIR/secret.key`, generated
 * (32 random bytes, hex, mode 0600) when absent. Synchronous: it runs once while the app is built.
 */
export function loadOrCreateSecret(dataDir: string, configured: string | undefined): string {
  if (configured) return configured;
  const path = join(dataDir, SECRET_FILE);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    // `wx`: two processes starting on one DATA_DIR must not overwrite each other's key.
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw err;
  }
}
