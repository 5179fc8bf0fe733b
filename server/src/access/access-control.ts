/**
 * Who may do what with a session. `AUTH_MODE=open` (the default, for one user on their own
 * machine): no token means editor; `token`: every join and session read needs one. A token that
 * is given is always checked, in both modes: forged, expired or revoked ones are UNAUTHORIZED,
 * and a valid token of another session is FORBIDDEN.
 */
import { RotoError } from '@roto/shared';
import type { AuthMode } from '../config/config.ts';
import type { Role } from '../sessions/types.ts';
import type { ShareLinks } from './share-links.ts';
import { OWNER_LINK_ID, type TokenClaims, type TokenSigner } from './tokens.ts';

/** What a join is granted: the role, and the link and expiry it came from (for revocation). */
export interface Grant {
  role: Role;
  /** Absent for a join without a token (open mode). */
  linkId?: string;
  /** Ms since the epoch; null or absent: never. */
  expiresAt?: number | null;
}

export interface AccessControlDeps {
  mode: AuthMode;
  signer: TokenSigner;
  links: ShareLinks;
}

export class AccessControl {
  constructor(private readonly deps: AccessControlDeps) {}

  get mode(): AuthMode {
    return this.deps.mode;
  }

  /** The role of a `session:join` (owners edit like editors). */
  async authorizeJoin(sessionId: string, token: string | undefined): Promise<Grant> {
    if (token === undefined || token === '') {
      this.requireToken(sessionId);
      return { role: 'editor' };
    }
    const claims = await this.check(sessionId, token);
    return {
      role: claims.role === 'viewer' ? 'viewer' : 'editor',
      linkId: claims.linkId,
      expiresAt: claims.exp,
    };
  }

  /** REST reads of a session (details, frames, thumbnails): any valid token, or none in open mode. */
  async authorizeRead(sessionId: string, token: string | undefined): Promise<void> {
    if (token === undefined || token === '') return this.requireToken(sessionId);
    await this.check(sessionId, token);
  }

  /**
   * Owner-only calls (links, deleting the session): the owner token, in every mode. UNAUTHORIZED
   * without a valid token, FORBIDDEN with an editor's or viewer's.
   */
  async requireOwner(sessionId: string, token: string | undefined): Promise<void> {
    if (!token)
      throw new RotoError(
        'UNAUTHORIZED',
        'This needs the session owner token (Authorization: Bearer <ownerToken from POST /api/v1/sessions>).',
        { sessionId },
      );
    const claims = await this.check(sessionId, token);
    if (claims.role !== 'owner')
      throw new RotoError(
        'FORBIDDEN',
        `Only the session's owner may do this; this token is an ${claims.role}'s.`,
        {
          sessionId,
          role: claims.role,
        },
      );
  }

  private requireToken(sessionId: string): void {
    if (this.deps.mode === 'token')
      throw new RotoError('UNAUTHORIZED', 'This server needs a token to open a session: use a share link.', {
        sessionId,
        reason: 'missing',
      });
  }

  /** Signature, expiry, session and revocation. */
  private async check(sessionId: string, token: string): Promise<TokenClaims> {
    const claims = this.deps.signer.verify(token);
    if (claims.sid !== sessionId)
      throw new RotoError('FORBIDDEN', 'This token belongs to another session.', { sessionId });
    if (claims.linkId === OWNER_LINK_ID) {
      if (claims.role !== 'owner')
        throw new RotoError('UNAUTHORIZED', 'This token is malformed.', { reason: 'malformed' });
      return claims;
    }
    const link = await this.deps.links.get(sessionId, claims.linkId);
    if (!link)
      throw new RotoError('UNAUTHORIZED', 'This link is not known for this session.', {
        sessionId,
        reason: 'unknown',
      });
    if (link.revokedAt)
      throw new RotoError('UNAUTHORIZED', `This link was revoked at ${link.revokedAt}.`, {
        sessionId,
        reason: 'revoked',
        revokedAt: link.revokedAt,
      });
    return claims;
  }
}
