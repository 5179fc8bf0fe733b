/**
 * The participants of a room: one per connection, with their latest presence. Volatile: never
 * stored, rebuilt by the joins after a restart.
 */
import type { Participant, PresenceUpdate } from '@roto/shared';
import type { Actor } from './types.ts';

/** A live participant and the client id that owns its undo history. */
interface Member extends Participant {
  clientId: string;
}

export class Members {
  private readonly byId = new Map<string, Member>();

  /** Adds (or replaces, on a re-join over the same connection) a participant. */
  add(actor: Actor): Participant {
    const member: Member = {
      participantId: actor.participantId,
      clientId: actor.clientId,
      user: actor.user,
      role: actor.role,
      presence: {},
    };
    this.byId.set(actor.participantId, member);
    return publicView(member);
  }

  /** Removes a participant; false when it was not there. */
  remove(participantId: string): boolean {
    return this.byId.delete(participantId);
  }

  /** Merges a presence update; returns the participant's presence, or null when unknown. */
  updatePresence(participantId: string, update: PresenceUpdate): PresenceUpdate | null {
    const m = this.byId.get(participantId);
    if (!m) return null;
    m.presence = { ...m.presence, ...update };
    return m.presence;
  }

  list(): Participant[] {
    return [...this.byId.values()].map(publicView);
  }

  get size(): number {
    return this.byId.size;
  }
}

function publicView(m: Member): Participant {
  return { participantId: m.participantId, user: m.user, role: m.role, presence: m.presence };
}
