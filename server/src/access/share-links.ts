/**
 * Share links of sessions: created, listed and revoked by the owner. Each change is an op-log
 * record of the session (`access:link-created`, `access:link-revoked`: the durable history), and
 * the resulting list is kept, fsynced, in the session's `access/links.json`, which survives log
 * compaction and lets a token be checked without opening the log. The file is written first and
 * the record second, both before the answer: a crash in between leaves a revocation effective
 * (the safe side) or a link nobody was ever given.
 */
import { randomBytes } from 'node:crypto';
import { RotoError, type ShareLink, type ShareLinkCreated, type ShareRole } from '@roto/shared';
import { z } from 'zod';
import { writeFileAtomic } from '../storage/file-io.ts';
import { fsDurability, type SessionStore } from '../storage/index.ts';
import type { AppendInput } from '../storage/record-codec.ts';
import { OWNER_LINK_ID, type TokenSigner } from './tokens.ts';

/** Op-log record types of access changes (the session layer skips them on replay). */
export const ACCESS_RECORD_TYPES = Object.freeze({
  linkCreated: 'access:link-created',
  linkRevoked: 'access:link-revoked',
} as const);

/** The blob holding a session's current links. */
export const LINKS_BLOB = 'access/links.json';

const StoredLinksSchema = z.object({
  version: z.literal(1),
  links: z.array(
    z.object({
      linkId: z.string(),
      role: z.enum(['editor', 'viewer']),
      createdAt: z.string(),
      expiresAt: z.string().nullable(),
      revokedAt: z.string().optional(),
    }),
  ),
});

/** Appends an access record to a session's op log; resolves once it is durable. */
export type AppendAccessRecord = (sessionId: string, record: AppendInput) => Promise<unknown>;

/** What `ShareLinks` is built from. */
export interface ShareLinksDeps {
  store: SessionStore;
  signer: TokenSigner;
  append: AppendAccessRecord;
  /** The web app's base URL for link URLs (empty: relative URLs). */
  publicUrl?: string | undefined;
  now?: () => number;
}

/** Called after a link is revoked (the realtime layer disconnects its holders). */
export type RevokedListener = (sessionId: string, linkId: string) => void;

export class ShareLinks {
  private readonly cache = new Map<string, Promise<Map<string, ShareLink>>>();
  /** One change at a time per session: the file always holds the whole list. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly revokedListeners = new Set<RevokedListener>();
  private readonly now: () => number;

  constructor(private readonly deps: ShareLinksDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Subscribes to revocations; returns the unsubscribe function. */
  onRevoked(listener: RevokedListener): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Creates a link with `role`, valid for `expiresInSec` (forever when absent). */
  create(sessionId: string, role: ShareRole, expiresInSec?: number): Promise<ShareLinkCreated> {
    return this.change(sessionId, async (links) => {
      const linkId = randomBytes(9).toString('base64url');
      const created = this.now();
      const exp = expiresInSec === undefined ? null : created + expiresInSec * 1000;
      const link: ShareLink = {
        linkId,
        role,
        createdAt: new Date(created).toISOString(),
        expiresAt: exp === null ? null : new Date(exp).toISOString(),
      };
      links.set(linkId, link);
      const token = this.deps.signer.sign({ sid: sessionId, role, linkId, exp });
      return {
        record: { type: ACCESS_RECORD_TYPES.linkCreated, payload: link },
        result: {
          linkId,
          role,
          token,
          url: `${this.deps.publicUrl ?? ''}/s/${sessionId}#token=${token}`,
          expiresAt: link.expiresAt,
        },
      };
    });
  }

  /** Every link of the session, oldest first (revoked ones included, marked). */
  async list(sessionId: string): Promise<ShareLink[]> {
    return [...(await this.load(sessionId)).values()];
  }

  /** The link, or undefined when the session has none with that id. */
  async get(sessionId: string, linkId: string): Promise<ShareLink | undefined> {
    return (await this.load(sessionId)).get(linkId);
  }

  /**
   * Revokes a link: durable before it resolves, then every listener is told (its holders are
   * disconnected). NOT_FOUND for an unknown link; revoking twice is not an error.
   */
  async revoke(sessionId: string, linkId: string): Promise<ShareLink> {
    const link = await this.change(sessionId, async (links) => {
      const found = links.get(linkId);
      if (!found)
        throw new RotoError('NOT_FOUND', `Session ${sessionId} has no link "${linkId}".`, {
          sessionId,
          linkId,
        });
      if (found.revokedAt) return { result: found };
      const revoked = { ...found, revokedAt: new Date(this.now()).toISOString() };
      links.set(linkId, revoked);
      return {
        record: { type: ACCESS_RECORD_TYPES.linkRevoked, payload: { linkId, revokedAt: revoked.revokedAt } },
        result: revoked,
      };
    });
    for (const listener of this.revokedListeners) {
      try {
        listener(sessionId, linkId);
      } catch {
        // One failing listener must not keep the others from disconnecting holders.
      }
    }
    return link;
  }

  /** Drops what is cached for a removed session. */
  forget(sessionId: string): void {
    this.cache.delete(sessionId);
  }

  /** The owner token of a session (never expires; it is what manages links). */
  ownerToken(sessionId: string): string {
    return this.deps.signer.sign({ sid: sessionId, role: 'owner', linkId: OWNER_LINK_ID, exp: null });
  }

  private load(sessionId: string): Promise<Map<string, ShareLink>> {
    let loading = this.cache.get(sessionId);
    if (!loading) {
      loading = this.read(sessionId);
      this.cache.set(sessionId, loading);
      loading.catch(() => this.cache.delete(sessionId));
    }
    return loading;
  }

  private async read(sessionId: string): Promise<Map<string, ShareLink>> {
    let raw: Buffer;
    try {
      raw = await this.deps.store.blobs.read(sessionId, LINKS_BLOB);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'NOT_FOUND') return new Map();
      throw err;
    }
    const stored = StoredLinksSchema.parse(JSON.parse(raw.toString('utf8')));
    return new Map(stored.links.map((l) => [l.linkId, l]));
  }

  /** Runs one change after the previous ones: mutate, write the file (fsynced), append the record. */
  private change<T>(
    sessionId: string,
    fn: (links: Map<string, ShareLink>) => Promise<{ record?: AppendInput; result: T }>,
  ): Promise<T> {
    const previous = this.chains.get(sessionId) ?? Promise.resolve();
    const run = previous.then(async () => {
      const links = await this.load(sessionId);
      const draft = new Map(links);
      const { record, result } = await fn(draft);
      if (!record) return result;
      const path = await this.deps.store.blobs.prepare(sessionId, LINKS_BLOB);
      const body = { version: 1, links: [...draft.values()] };
      await writeFileAtomic(path, Buffer.from(JSON.stringify(body)), fsDurability);
      for (const [id, l] of draft) links.set(id, l);
      await this.deps.append(sessionId, record);
      return result;
    });
    const tail = run.catch(() => undefined);
    this.chains.set(sessionId, tail);
    void tail.then(() => {
      if (this.chains.get(sessionId) === tail) this.chains.delete(sessionId);
    });
    return run;
  }
}
