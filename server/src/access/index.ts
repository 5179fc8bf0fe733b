/**
 * Access control of sessions, assembled from the configuration: the token signer (server secret),
 * share links, the join/read/owner checks, the per-connection rate limit and the presence
 * throttle rate. `createApp` builds it and plugs it into the realtime layer's `authorize` and
 * `beforeEvent` seams and into the REST routes.
 */
import type { Config } from '../config/config.ts';
import type { BeforeEvent } from '../realtime/on.ts';
import type { SessionManager } from '../sessions/manager.ts';
import type { SessionStore } from '../storage/index.ts';
import type { AppendInput } from '../storage/record-codec.ts';
import { AccessControl } from './access-control.ts';
import { connectionRateLimit } from './rate-limit.ts';
import { ShareLinks } from './share-links.ts';
import { loadOrCreateSecret, TokenSigner } from './tokens.ts';

export { AccessControl, type Grant } from './access-control.ts';
export { connectionRateLimit, TokenBucket } from './rate-limit.ts';
export { ACCESS_RECORD_TYPES, ShareLinks } from './share-links.ts';
export { loadOrCreateSecret, OWNER_LINK_ID, TokenSigner } from './tokens.ts';

/** The assembled access layer. */
export interface Access {
  signer: TokenSigner;
  links: ShareLinks;
  control: AccessControl;
  /** The realtime layer's `beforeEvent`: the per-connection token bucket. */
  rateLimit: BeforeEvent;
  presenceMaxPerSec: number;
}

/** What the access layer needs besides the configuration. */
export interface AccessDeps {
  config: Config;
  store: SessionStore;
  /** The live sessions (once the realtime layer exists): access records go through loaded rooms' logs. */
  sessions: () => SessionManager | undefined;
  /** True while ingest holds the session's log open. */
  isIngesting: (sessionId: string) => boolean;
}

/** Builds the access layer (reads or creates the secret synchronously). */
export function createAccess(deps: AccessDeps): Access {
  const { config, store } = deps;
  const signer = new TokenSigner(loadOrCreateSecret(config.dataDir, config.secret));
  const links = new ShareLinks({
    store,
    signer,
    publicUrl: config.publicUrl,
    append: (sessionId, record) => appendToSessionLog(deps, sessionId, record),
  });
  return {
    signer,
    links,
    control: new AccessControl({ mode: config.authMode, signer, links }),
    rateLimit: connectionRateLimit(config.rateLimit),
    presenceMaxPerSec: config.presenceMaxPerSec,
  };
}

/**
 * Appends an access record to the session's op log without leaving the log open behind the
 * session layer's back: through the loaded room's session (loading it if needed; the manager
 * closes it when it unloads), while ingest holds it open, or opened and closed here for a
 * session the session layer cannot load (its ingest failed).
 */
async function appendToSessionLog(deps: AccessDeps, sessionId: string, record: AppendInput): Promise<void> {
  const sessions = deps.sessions();
  if (!sessions || deps.isIngesting(sessionId)) {
    await deps.store.append(sessionId, record);
    return;
  }
  try {
    await sessions.getOrLoad(sessionId);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'CONFLICT') throw err;
    await deps.store.append(sessionId, record);
    if (!sessions.peek(sessionId)) await deps.store.close(sessionId);
    return;
  }
  await deps.store.append(sessionId, record);
}
