import { type PointerEvent as ReactPointerEvent, useMemo, useRef } from 'react';
import { useThumbnails } from '../../api/sessions.ts';
import { sessionToken, withToken } from '../../api/tokens.ts';
import { colorForName, initials } from '../../app/identity.ts';
import type { SessionConnection } from '../../realtime/connection.ts';
import type { SessionDocState } from '../../realtime/session-doc.ts';
import {
  type BarSegment,
  computeBar,
  coveredFrames,
  fractionToFrame,
  frameToFraction,
} from './timeline-bars.ts';
import './timeline.css';

interface Props {
  conn: SessionConnection;
  frame: number;
  playing: boolean;
  hidden: ReadonlySet<number>;
  onSeek(frame: number): void;
  onTogglePlay(): void;
}

/**
 * The scrubber: the thumbnail strip with a playhead and where everyone else is, one bar per object
 * (prompted, propagated, absent, stale, missing frames), play/pause at the video's fps.
 */
export function Timeline({ conn, frame, playing, hidden, onSeek, onTogglePlay }: Props) {
  const doc = conn.doc!;
  const { frameCount, fps } = doc.media;
  const strip = useRef<HTMLDivElement>(null);
  const thumbs = useThumbnails(doc.sessionId);
  const me = conn.state.kind === 'joined' ? conn.state.participantId : '';

  const seekAt = (e: ReactPointerEvent) => {
    const r = strip.current!.getBoundingClientRect();
    onSeek(fractionToFrame((e.clientX - r.left) / r.width, frameCount));
  };

  // Recomputed when the document changes, not on every scrub or presence move.
  const revision = doc.revision;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the document is mutated in place; its revision says when
  const bars = useMemo(() => barsOf(doc, frameCount), [doc, frameCount, revision]);

  const t = thumbs.data;
  return (
    <section className="timeline" aria-label="Timeline">
      <div className="timeline-controls">
        <button
          type="button"
          onClick={onTogglePlay}
          disabled={frameCount < 2}
          data-testid="play"
          title="Play / pause (K)"
        >
          {playing ? '❚❚' : '▶'}
        </button>
        <span data-testid="frame-label">
          frame {frame + 1} / {frameCount}
        </span>
        {fps > 0 && (
          <span className="muted">
            {(frame / fps).toFixed(2)} s · {Math.round(fps * 100) / 100} fps
          </span>
        )}
      </div>
      <div
        ref={strip}
        className="strip"
        data-testid="timeline-strip"
        onPointerDown={(e) => {
          (e.target as Element).setPointerCapture(e.pointerId);
          seekAt(e);
        }}
        onPointerMove={(e) => e.buttons === 1 && seekAt(e)}
      >
        <div className="thumbs">
          {t?.tiles.map((tile, i) => {
            const next = t.tiles[i + 1]?.frame ?? frameCount;
            // Tiles are scaled to the strip's height; a tile never spills over the next one's span.
            const s = STRIP_HEIGHT_PX / t.tileHeight;
            return (
              <div
                key={tile.frame}
                className="thumb"
                style={{
                  left: `${frameToFraction(tile.frame, frameCount) * 100}%`,
                  width: `min(${t.tileWidth * s}px, ${((next - tile.frame) / frameCount) * 100}%)`,
                  backgroundImage: `url(${withToken(t.spriteUrl, sessionToken(doc.sessionId))})`,
                  backgroundPosition: `-${tile.x * s}px -${tile.y * s}px`,
                  backgroundSize: `${t.width * s}px ${t.height * s}px`,
                }}
              />
            );
          })}
        </div>
        {bars.map(({ object, segments }) => (
          <div
            key={object.id}
            className={`bar${hidden.has(object.id) ? ' dim' : ''}`}
            data-testid="object-bar"
            data-object-id={object.id}
            data-covered={coveredFrames(segments)}
            title={`${object.name}: ${coveredFrames(segments)} / ${frameCount} frames`}
          >
            {segments.map((s) => (
              <Segment key={s.from} s={s} color={object.color} frameCount={frameCount} />
            ))}
          </div>
        ))}
        <div className="playhead" style={{ left: `${((frame + 0.5) / frameCount) * 100}%` }} />
        {[...doc.participants.values()]
          .filter((p) => p.participantId !== me && p.presence.frame !== undefined)
          .map((p) => (
            <span
              key={p.participantId}
              className="avatar tiny presence-marker"
              style={{
                left: `${(((p.presence.frame ?? 0) + 0.5) / frameCount) * 100}%`,
                background: p.user.color ?? colorForName(p.user.name),
              }}
              title={`${p.user.name} is on frame ${(p.presence.frame ?? 0) + 1}`}
            >
              {initials(p.user.name)}
            </span>
          ))}
      </div>
      <div className="legend muted">
        <span className="swatch prompted" /> prompted <span className="swatch propagated" /> tracked{' '}
        <span className="swatch absent" /> not visible <span className="swatch stale" /> stale{' '}
        <span className="swatch missing" /> missing
      </div>
    </section>
  );
}

/** Height of the thumbnail strip (matches `.thumbs` in app.css). */
const STRIP_HEIGHT_PX = 40;

/** One bar per object: its prompted frames and masks as runs. */
function barsOf(doc: SessionDocState, frameCount: number) {
  const prompted = new Map<number, number[]>();
  for (const k of doc.prompts.keys()) {
    const [id, frame] = k.split(':').map(Number) as [number, number];
    prompted.set(id, [...(prompted.get(id) ?? []), frame]);
  }
  const masks = new Map<number, Array<{ frame: number; present: boolean; stale: boolean }>>();
  for (const m of doc.masks.values()) {
    const list = masks.get(m.objectId);
    if (list) list.push(m);
    else masks.set(m.objectId, [m]);
  }
  return doc.objects.map((o) => ({
    object: o,
    segments: computeBar(frameCount, prompted.get(o.id) ?? [], masks.get(o.id) ?? []),
  }));
}

function Segment({ s, color, frameCount }: { s: BarSegment; color: string; frameCount: number }) {
  if (s.status === 'missing') return null;
  return (
    <span
      className={`seg ${s.status}`}
      data-status={s.status}
      style={{
        left: `${frameToFraction(s.from, frameCount) * 100}%`,
        width: `${((s.to - s.from + 1) / frameCount) * 100}%`,
        background: s.status === 'propagated' || s.status === 'prompted' ? color : undefined,
      }}
    />
  );
}
