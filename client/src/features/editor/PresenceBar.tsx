import { colorForName, initials } from '../../app/identity.ts';
import type { SessionConnection } from '../../realtime/connection.ts';

/** Everyone in the session: an avatar each, with the frame they are looking at. */
export function PresenceBar({ conn }: { conn: SessionConnection }) {
  const me = conn.state.kind === 'joined' ? conn.state.participantId : '';
  const people = [...conn.doc!.participants.values()];
  return (
    <ul className="presence" aria-label="People here" data-testid="presence">
      {people.map((p) => (
        <li
          key={p.participantId}
          title={`${p.user.name}${p.participantId === me ? ' (you)' : ''} · ${p.role}${p.presence.frame !== undefined ? ` · frame ${p.presence.frame + 1}` : ''}`}
        >
          <span
            className={`avatar${p.participantId === me ? ' me' : ''}`}
            style={{ background: p.user.color ?? colorForName(p.user.name) }}
          >
            {initials(p.user.name)}
          </span>
          {p.presence.frame !== undefined && <span className="presence-frame">{p.presence.frame + 1}</span>}
        </li>
      ))}
    </ul>
  );
}
