import { z } from 'zod';
import { SessionCreatedSchema } from './ingest.ts';

/**
 * Access to a session over REST: the owner token returned when a session is made, and share links
 * (signed tokens with a role and an expiry) that the owner creates, lists and revokes under
 * `/api/v1/sessions/:id/links`. Tokens travel as `Authorization: Bearer <token>` (or `?token=`
 * where a header cannot be set, e.g. an `<img>`), and as `token` in `session:join`.
 */

/** The role a share link grants: editors change the session, viewers only watch. */
export const ShareRoleSchema = z.enum(['editor', 'viewer'], { error: 'role must be "editor" or "viewer"' });
export type ShareRole = z.infer<typeof ShareRoleSchema>;

/** Longest a share link may live: one year. */
export const MAX_LINK_LIFETIME_SEC = 365 * 24 * 60 * 60;

/** `POST /api/v1/sessions/:id/links` body. Without `expiresInSec` the link never expires (revoke it instead). */
export const CreateShareLinkSchema = z.strictObject({
  role: ShareRoleSchema,
  expiresInSec: z
    .number({ error: 'expiresInSec must be a number of seconds' })
    .int({ error: 'expiresInSec must be a whole number' })
    .min(1, { error: 'expiresInSec must be at least 1' })
    .max(MAX_LINK_LIFETIME_SEC, { error: `expiresInSec must be at most ${MAX_LINK_LIFETIME_SEC} (a year)` })
    .optional(),
});
export type CreateShareLink = z.infer<typeof CreateShareLinkSchema>;

/** A share link as the owner sees it in the list (the token itself is shown once, at creation). */
export const ShareLinkSchema = z.object({
  linkId: z.string(),
  role: ShareRoleSchema,
  createdAt: z.iso.datetime(),
  /** null: never expires. */
  expiresAt: z.iso.datetime().nullable(),
  /** Set once revoked; a revoked link lets nobody in. */
  revokedAt: z.iso.datetime().optional(),
});
export type ShareLink = z.infer<typeof ShareLinkSchema>;

/** `201` body of `POST …/links`: the token to hand out and a URL of the web app that carries it. */
export const ShareLinkCreatedSchema = z.object({
  linkId: z.string(),
  role: ShareRoleSchema,
  token: z.string(),
  /** The editor page with the token in its fragment (`/s/<id>#token=…`: never sent to a server log). */
  url: z.string(),
  expiresAt: z.iso.datetime().nullable(),
});
export type ShareLinkCreated = z.infer<typeof ShareLinkCreatedSchema>;

/** `GET …/links` body, oldest first. */
export const ShareLinkListSchema = z.object({ links: z.array(ShareLinkSchema) });
export type ShareLinkList = z.infer<typeof ShareLinkListSchema>;

/** `201` body of `POST /api/v1/sessions`: the session plus its owner token (keep it: it manages links). */
export const OwnedSessionCreatedSchema = SessionCreatedSchema.extend({ ownerToken: z.string() });
export type OwnedSessionCreated = z.infer<typeof OwnedSessionCreatedSchema>;
