import type { Box } from '@roto/shared';
import {
  type PointerEvent as ReactPointerEvent,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { colorForName } from '../../app/identity.ts';
import type { SessionConnection } from '../../realtime/connection.ts';
import { key } from '../../realtime/session-doc.ts';
import { drawScene, hitPoint, type Scene } from './draw-scene.ts';
import type { FrameCache } from './frame-cache.ts';
import { MaskOverlay } from './mask-overlay.ts';
import type { PaintMode } from './mask-paint.ts';
import { usePromptActions } from './use-prompt-actions.ts';
import {
  clampToFrame,
  fitTransform,
  panBy,
  screenToFrame,
  type ViewTransform,
  wheelZoomFactor,
  zoomAt,
} from './view-transform.ts';

interface Props {
  conn: SessionConnection;
  frame: number;
  frames: FrameCache;
  selectedObjectId: number | null;
  hidden: ReadonlySet<number>;
  opacity: number;
  mode: PaintMode;
  canEdit: boolean;
  /** Space is held: drags pan instead of drawing. */
  panKey: boolean;
  onSelect(objectId: number): void;
  /** Resets the view to fit when this number changes (the "fit" shortcut). */
  fitRequest: number;
  onZoomChange(scale: number): void;
}

const DRAG_THRESHOLD_PX = 4;

const PRESENCE_INTERVAL_MS = 50;

type Gesture =
  | { kind: 'none' }
  | { kind: 'press'; button: number; start: { x: number; y: number }; alt: boolean }
  | { kind: 'box'; start: { x: number; y: number }; end: { x: number; y: number } }
  | { kind: 'pan'; last: { x: number; y: number } };

/**
 * The frame with its coloured masks, prompts and other people's cursors. Left click adds a
 * foreground point, right click or Alt+click a background point, a drag draws a box, a click on a
 * point removes it; the wheel zooms about the cursor; space+drag or a middle drag pans.
 */
export function FrameCanvas(props: Props) {
  const { conn, frame, frames, selectedObjectId, hidden, opacity, mode, canEdit, panKey, onSelect } = props;
  const doc = conn.doc!;
  const { width: frameW, height: frameH } = doc.media;
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState({ w: 800, h: 450 });
  const [view, setView] = useState<ViewTransform>(() => fitTransform(frameW, frameH, 800, 450));
  const userMoved = useRef(false);
  const [gesture, setGesture] = useState<Gesture>({ kind: 'none' });
  const [, setLoaded] = useState(0);
  const { pending, error, setError, send, removePoint } = usePromptActions(
    conn,
    frame,
    selectedObjectId,
    onSelect,
  );
  const overlay = useMemo(() => new MaskOverlay(frameW, frameH), [frameW, frameH]);
  const lastBitmap = useRef<ImageBitmap | null>(null);
  const lastPresence = useRef(0);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const w = Math.max(1, Math.round(entry.contentRect.width));
      const h = Math.max(1, Math.round(entry.contentRect.height));
      setSize({ w, h });
      if (!userMoved.current) setView(fitTransform(frameW, frameH, w, h));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [frameW, frameH]);

  const fitNow = useRef(() => {});
  fitNow.current = () => {
    userMoved.current = false;
    setView(fitTransform(frameW, frameH, size.w, size.h));
  };
  useEffect(() => {
    if (props.fitRequest > 0) fitNow.current();
  }, [props.fitRequest]);

  useEffect(() => props.onZoomChange(view.scale), [view.scale, props.onZoomChange]);

  useEffect(() => {
    if (frames.get(frame)) return;
    let live = true;
    frames.load(frame).then(
      () => live && setLoaded((n) => n + 1),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [frame, frames]);

  const visible = doc.objects.filter((o) => !hidden.has(o.id));
  const pendingColor = doc.objects.find((o) => o.id === selectedObjectId)?.color ?? '#ffffff';
  const pendingHere: Scene['prompts'] = pending
    .filter((p) => p.frame === frame)
    .map((p) => ({
      objectId: -1,
      color: pendingColor,
      prompts: { points: p.points, ...(p.box ? { box: p.box } : {}) },
      selected: false,
    }));
  const prompts: Scene['prompts'] = visible.flatMap((o) => {
    const p = doc.prompts.get(key(o.id, frame));
    return p ? [{ objectId: o.id, color: o.color, prompts: p, selected: o.id === selectedObjectId }] : [];
  });
  const layers = visible.flatMap((o) => {
    const m = doc.masks.get(key(o.id, frame));
    return m?.bytes && m.present ? [{ bytes: m.bytes, color: o.color, version: m.version, id: o.id }] : [];
  });
  const overlayKey = `${frame}|${mode}|${layers.map((l) => `${l.id}:${l.version}:${l.color}`).join(',')}`;
  const cursors = [...doc.participants.values()].flatMap((p) =>
    p.participantId !== (conn.state.kind === 'joined' ? conn.state.participantId : '') &&
    p.presence.frame === frame &&
    p.presence.cursor
      ? [{ ...p.presence.cursor, name: p.user.name, color: p.user.color ?? colorForName(p.user.name) }]
      : [],
  );

  useLayoutEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(size.w * dpr) || c.height !== Math.round(size.h * dpr)) {
      c.width = Math.round(size.w * dpr);
      c.height = Math.round(size.h * dpr);
    }
    overlay.update(overlayKey, layers, mode);
    const bmp = frames.get(frame);
    if (bmp) lastBitmap.current = bmp;
    const dragBox =
      gesture.kind === 'box'
        ? normBox(screenToFrame(view, gesture.start), screenToFrame(view, gesture.end), frameW, frameH)
        : null;
    drawScene(
      ctx,
      {
        frame: bmp ?? lastBitmap.current,
        frameW,
        frameH,
        overlay,
        opacity,
        view,
        prompts,
        pending: pendingHere,
        dragBox,
        cursors,
      },
      size.w,
      size.h,
      dpr,
    );
    c.dataset.drawnFrame = bmp ? String(frame) : '';
    c.dataset.maskLayers = String(layers.length);
  });

  const local = (e: { clientX: number; clientY: number }) => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const onPointerDown = (e: ReactPointerEvent) => {
    const p = local(e);
    (e.target as Element).setPointerCapture(e.pointerId);
    if (e.button === 1 || (e.button === 0 && panKey)) {
      e.preventDefault();
      setGesture({ kind: 'pan', last: p });
      return;
    }
    if (!canEdit) return;
    setGesture({ kind: 'press', button: e.button, start: p, alt: e.altKey });
  };

  const onPointerMove = (e: ReactPointerEvent) => {
    const p = local(e);
    const now = performance.now();
    if (now - lastPresence.current > PRESENCE_INTERVAL_MS) {
      lastPresence.current = now;
      conn.presence({ cursor: screenToFrame(view, p) });
    }
    if (gesture.kind === 'pan') {
      userMoved.current = true;
      setView((v) => panBy(v, p.x - gesture.last.x, p.y - gesture.last.y));
      setGesture({ kind: 'pan', last: p });
    } else if (
      gesture.kind === 'press' &&
      gesture.button === 0 &&
      !gesture.alt &&
      Math.hypot(p.x - gesture.start.x, p.y - gesture.start.y) > DRAG_THRESHOLD_PX
    ) {
      setGesture({ kind: 'box', start: gesture.start, end: p });
    } else if (gesture.kind === 'box') {
      setGesture({ kind: 'box', start: gesture.start, end: p });
    }
  };

  const onPointerUp = (e: ReactPointerEvent) => {
    const p = local(e);
    const g = gesture;
    setGesture({ kind: 'none' });
    if (g.kind === 'box') {
      const b = normBox(screenToFrame(view, g.start), screenToFrame(view, p), frameW, frameH);
      if (b.x1 - b.x0 >= 1 && b.y1 - b.y0 >= 1) void send({ box: b }, p);
      return;
    }
    if (g.kind !== 'press') return;
    const hit = hitPoint(prompts, view, p);
    if (hit && g.button === 0 && !g.alt) return void removePoint(hit.objectId, hit.index, p);
    const f = clampToFrame(screenToFrame(view, p), frameW, frameH);
    const positive = g.button === 0 && !g.alt;
    if (!positive && selectedObjectId === null) {
      setError({
        message: 'Select an object first: a background click only refines an existing object.',
        at: p,
      });
      return;
    }
    void send({ points: [{ x: round2(f.x), y: round2(f.y), label: positive ? 1 : 0 }] }, p);
  };

  const onWheel = (e: React.WheelEvent) => {
    userMoved.current = true;
    setView((v) => zoomAt(v, wheelZoomFactor(e.deltaY), local(e)));
  };

  const cursor = gesture.kind === 'pan' ? 'grabbing' : panKey ? 'grab' : canEdit ? 'crosshair' : 'default';
  return (
    <div ref={box} className="frame-view">
      <canvas
        ref={canvas}
        data-testid="frame-canvas"
        data-frame={frame}
        data-scale={view.scale}
        data-tx={view.tx}
        data-ty={view.ty}
        style={{ width: size.w, height: size.h, cursor }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => conn.presence({ cursor: null })}
        onWheel={onWheel}
        onContextMenu={(e) => e.preventDefault()}
      />
      {pending.length > 0 && (
        <div className="canvas-busy" data-testid="segmenting">
          {conn.state.kind === 'joined' ? 'segmenting…' : 'waiting for the connection…'}
        </div>
      )}
      {error && (
        <div className="canvas-error" role="alert" style={{ left: error.at.x + 12, top: error.at.y + 12 }}>
          {error.message}
          <button type="button" aria-label="Dismiss" onClick={() => setError(null)}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function normBox(a: { x: number; y: number }, b: { x: number; y: number }, w: number, h: number): Box {
  const p = clampToFrame(a, w, h);
  const q = clampToFrame(b, w, h);
  return {
    x0: round2(Math.min(p.x, q.x)),
    y0: round2(Math.min(p.y, q.y)),
    x1: round2(Math.max(p.x, q.x)),
    y1: round2(Math.max(p.y, q.y)),
  };
}
