/**
 * Which sockets joined with which share link, so that revoking a link (or its expiry) reaches
 * exactly its holders: each gets `access:revoked` with the reason, then is disconnected.
 */
import type { AccessRevokedFact } from '@roto/shared';
import type { Socket } from 'socket.io';

/** Longest delay `setTimeout` takes; later expiries are re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Holding {
  key: string;
  linkId: string;
  timer: NodeJS.Timeout | null;
}

const keyOf = (sessionId: string, linkId: string) => `${sessionId}\u0000${linkId}`;

export class LinkHolders {
  private readonly byLink = new Map<string, Set<Socket>>();
  private readonly bySocket = new Map<Socket, Holding>();
  /** Links revoked in this process: a join racing its link's revocation is cut off on arrival. */
  private readonly revoked = new Set<string>();

  /**
   * Records that `socket` holds `linkId` of `sessionId` until it leaves; it is cut off at
   * `expiresAt` (ms since the epoch) if still there.
   */
  add(socket: Socket, sessionId: string, linkId: string, expiresAt: number | null | undefined): void {
    this.remove(socket);
    const key = keyOf(sessionId, linkId);
    if (this.revoked.has(key)) {
      cutOff(socket, linkId, 'revoked');
      return;
    }
    let set = this.byLink.get(key);
    if (!set) {
      set = new Set();
      this.byLink.set(key, set);
    }
    set.add(socket);
    const holding: Holding = { key, linkId, timer: null };
    this.bySocket.set(socket, holding);
    if (expiresAt !== null && expiresAt !== undefined) this.armExpiry(socket, holding, expiresAt);
  }

  /** Forgets a socket (it left or disconnected). */
  remove(socket: Socket): void {
    const holding = this.bySocket.get(socket);
    if (!holding) return;
    this.bySocket.delete(socket);
    if (holding.timer) clearTimeout(holding.timer);
    const set = this.byLink.get(holding.key);
    set?.delete(socket);
    if (set?.size === 0) this.byLink.delete(holding.key);
  }

  /** Cuts off every holder of a revoked link; returns how many there were. */
  revoke(sessionId: string, linkId: string): number {
    const key = keyOf(sessionId, linkId);
    this.revoked.add(key);
    const holders = [...(this.byLink.get(key) ?? [])];
    for (const socket of holders) {
      this.remove(socket);
      cutOff(socket, linkId, 'revoked');
    }
    return holders.length;
  }

  /** Forgets a removed session's links. */
  forgetSession(sessionId: string): void {
    const prefix = `${sessionId}\u0000`;
    for (const key of this.revoked) if (key.startsWith(prefix)) this.revoked.delete(key);
  }

  /** Stops every expiry timer (shutdown). */
  close(): void {
    for (const socket of [...this.bySocket.keys()]) this.remove(socket);
  }

  private armExpiry(socket: Socket, holding: Holding, expiresAt: number): void {
    const wait = expiresAt - Date.now();
    holding.timer = setTimeout(
      () => {
        if (Date.now() < expiresAt) return this.armExpiry(socket, holding, expiresAt);
        this.remove(socket);
        cutOff(socket, holding.linkId, 'expired');
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    holding.timer.unref();
  }
}

/** Tells the socket why, then disconnects it (the fact is written before the close, in order). */
function cutOff(socket: Socket, linkId: string, reason: AccessRevokedFact['reason']): void {
  const fact: AccessRevokedFact = {
    type: 'access:revoked',
    linkId,
    reason,
    message:
      reason === 'revoked'
        ? 'The owner revoked the link you joined with.'
        : 'The link you joined with has expired.',
  };
  socket.emit('access:revoked', fact);
  socket.disconnect(true);
}
