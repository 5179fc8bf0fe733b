import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSessionDetails } from '../../api/sessions.ts';
import { captureLinkToken } from '../../api/tokens.ts';
import { ErrorBoundary } from '../../app/ErrorBoundary.tsx';
import { useIngestWatch } from '../../realtime/use-ingest.ts';
import { ProgressBar } from '../../ui/ProgressBar.tsx';
import { ExportDialog } from '../export/ExportDialog.tsx';
import { ObjectsPanel } from '../objects/ObjectsPanel.tsx';
import { ShareDialog } from '../share/ShareDialog.tsx';
import { Timeline } from '../timeline/Timeline.tsx';
import { FrameCanvas } from './FrameCanvas.tsx';
import { FrameCache } from './frame-cache.ts';
import { KeyboardHelp } from './KeyboardHelp.tsx';
import type { PaintMode } from './mask-paint.ts';
import { PresenceBar } from './PresenceBar.tsx';
import { PropagationPanel } from './PropagationPanel.tsx';
import { StatusBar } from './StatusBar.tsx';
import { useConnectionVersion, useSessionConnection } from './use-connection.ts';
import { useEditorKeys } from './use-editor-keys.ts';
import { usePlayback } from './use-playback.ts';
import './editor.css';
import '../../ui/dialog.css';

/** `/s/<sessionId>`: waits for ingest when needed, then opens the collaborative editor. */
export function EditorPage({ sessionId }: { sessionId: string }) {
  // A share link carries its token in the fragment; take it before the first request needs it.
  useState(() => captureLinkToken(sessionId));
  const access = useLinkTokenChanges(sessionId);
  const details = useSessionDetails(sessionId);
  if (details.isPending) return <p className="page-message">Opening the session…</p>;
  if (details.isError) {
    return (
      <p className="page-message error" role="alert">
        {details.error.message} <a href="/">Back to the start page</a>
      </p>
    );
  }
  const d = details.data;
  if (d.status === 'failed') {
    return (
      <p className="page-message error" role="alert">
        This session could not be made from its media: {d.error?.message ?? 'unknown error'}{' '}
        <a href="/">Back</a>
      </p>
    );
  }
  if (d.status === 'ingesting') return <IngestWait sessionId={sessionId} />;
  return <Editor key={access} sessionId={sessionId} />;
}

/**
 * A session still being decoded: its progress, pushed over Socket.IO; once the ingest has
 * finished, the details are read again and the editor opens by itself.
 */
function IngestWait({ sessionId }: { sessionId: string }) {
  const queryClient = useQueryClient();
  const watch = useIngestWatch(sessionId);
  useEffect(() => {
    if (watch.kind === 'finished') void queryClient.invalidateQueries({ queryKey: ['session', sessionId] });
  }, [watch.kind, sessionId, queryClient]);
  if (watch.kind === 'failed') {
    return (
      <p className="page-message error" role="alert" data-testid="ingest-failed">
        This session could not be opened: {watch.message} <a href="/">Back</a>
      </p>
    );
  }
  const p = watch.kind === 'progress' ? watch.progress : null;
  return (
    <div
      className="page-message"
      aria-live="polite"
      data-testid="ingest-progress"
      data-phase={p?.phase ?? 'probe'}
    >
      <p>
        Preparing the video ({p?.phase ?? 'probe'})
        {p?.phase === 'decode'
          ? ` · ${p.done} / ${p.total} frames${p.fps ? ` · ${Math.round(p.fps)} fps` : ''}`
          : '…'}
      </p>
      <ProgressBar done={p?.done ?? 0} total={p?.total ?? 0} />
    </div>
  );
}

/**
 * A link pasted into a tab already on this session changes only the fragment (no page load):
 * take its token, ask again for what the old access was refused, and reopen the connection.
 * Returns a number that changes when that happens.
 */
function useLinkTokenChanges(sessionId: string): number {
  const queryClient = useQueryClient();
  const [access, setAccess] = useState(0);
  useEffect(() => {
    const onHash = () => {
      if (!captureLinkToken(sessionId)) return;
      void queryClient.resetQueries({ queryKey: ['session', sessionId] });
      void queryClient.resetQueries({ queryKey: ['thumbnails', sessionId] });
      setAccess((n) => n + 1);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [sessionId, queryClient]);
  return access;
}

function Editor({ sessionId }: { sessionId: string }) {
  const conn = useSessionConnection(sessionId, true);
  useConnectionVersion(conn);
  const frames = useMemo(() => new FrameCache(sessionId), [sessionId]);
  const [frame, setFrameState] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const [opacity, setOpacity] = useState(0.5);
  const [mode, setMode] = useState<PaintMode>('fill');
  const [playing, setPlaying] = useState(false);
  const [help, setHelp] = useState(false);
  const [dialog, setDialog] = useState<'share' | 'export' | null>(null);
  const [fitRequest, setFitRequest] = useState(0);
  const [zoom, setZoom] = useState(1);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const doc = conn?.doc ?? null;
  const frameCount = doc?.media.frameCount ?? 1;

  const setFrame = useCallback(
    (n: number) => setFrameState(Math.min(frameCount - 1, Math.max(0, n))),
    [frameCount],
  );

  // Tell the others where this person is.
  useEffect(() => {
    if (conn?.state.kind !== 'joined') return;
    conn.presence({ frame, selectedObjectId: selected });
  }, [conn, conn?.state.kind, frame, selected]);

  // Keep the frames and mask bytes around the playhead loaded; new masks indexed by a rejoin count too.
  const revision = doc?.revision ?? 0;
  useEffect(() => {
    if (!conn || revision < 0) return;
    conn.ensureMasks(Math.max(0, frame - 30), Math.min(frameCount - 1, frame + 90));
    frames.prefetch(frame, 4, frameCount);
  }, [conn, frame, frameCount, frames, revision]);

  // An object deleted by anyone stops being selected.
  useEffect(() => {
    if (selected !== null && doc && !doc.objects.some((o) => o.id === selected)) setSelected(null);
  }, [doc, doc?.revision, selected]);

  usePlayback({
    playing,
    fps: doc?.media.fps ?? 0,
    frame,
    frameCount,
    frames,
    setFrame,
    stop: () => setPlaying(false),
  });

  const history = async (which: 'history:undo' | 'history:redo') => {
    if (!conn) return;
    setHistoryError(null);
    const res = await conn.send(which, {});
    if (!res.ok)
      setHistoryError(
        res.error.code === 'CONFLICT'
          ? `Nothing to ${which === 'history:undo' ? 'undo' : 'redo'}.`
          : res.error.message,
      );
  };
  // Edits typed while reconnecting are queued; a viewer, or someone cut off, edits nothing.
  const canEdit = conn?.role === 'editor' && conn.state.kind !== 'failed' && conn.state.kind !== 'revoked';
  const panKey = useEditorKeys({
    undo: () => void history('history:undo'),
    redo: () => void history('history:redo'),
    step: (d) => setFrame(frame + d),
    togglePlay: () => setPlaying((p) => !p),
    toggleOutline: () => setMode((m) => (m === 'fill' ? 'outline' : 'fill')),
    toggleHideSelected: () => selected !== null && toggleHidden(selected),
    fit: () => setFitRequest((n) => n + 1),
    deselect: () => {
      setHelp(false);
      setDialog(null);
      setSelected(null);
    },
    toggleHelp: () => setHelp((h) => !h),
  });
  const toggleHidden = (id: number) =>
    setHidden((h) => {
      const next = new Set(h);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  if (!conn || !doc) {
    const s = conn?.state;
    return (
      <div className="page-message" role={s?.kind === 'failed' ? 'alert' : undefined}>
        {s?.kind === 'failed' ? (
          <span className="error">Cannot open this session: {s.error.message}</span>
        ) : (
          'Joining the session…'
        )}{' '}
        <a href="/">Back</a>
      </div>
    );
  }

  return (
    <div className="editor" data-testid="editor">
      <header className="editor-header">
        <a href="/" className="brand">
          Roto
        </a>
        <span className="muted">
          {doc.media.width}×{doc.media.height} · {doc.media.frameCount} frames
        </span>
        <div className="undo-redo">
          <button
            type="button"
            onClick={() => void history('history:undo')}
            disabled={!canEdit}
            title="Undo your last edit (Ctrl+Z)"
          >
            ↶ Undo
          </button>
          <button
            type="button"
            onClick={() => void history('history:redo')}
            disabled={!canEdit}
            title="Redo (Ctrl+Shift+Z)"
          >
            ↷ Redo
          </button>
          {historyError && (
            <span className="error" role="alert">
              {historyError}
            </span>
          )}
        </div>
        <label className="opacity">
          opacity
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={opacity}
            onChange={(e) => setOpacity(Number(e.target.value))}
            data-testid="opacity"
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={mode === 'outline'}
            onChange={(e) => setMode(e.target.checked ? 'outline' : 'fill')}
          />{' '}
          outline
        </label>
        <PresenceBar conn={conn} />
        <button type="button" onClick={() => setDialog('share')} data-testid="share">
          Share
        </button>
        <button type="button" onClick={() => setDialog('export')} data-testid="export">
          Export
        </button>
        <button type="button" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
          ?
        </button>
      </header>
      {conn.state.kind === 'revoked' && (
        <div className="banner error-banner" role="alert" data-testid="link-revoked">
          {conn.state.reason === 'expired' ? 'This link has expired' : 'This link was revoked'}: you can no
          longer see or edit this session. Ask its owner for a new link. ({conn.state.message})
        </div>
      )}
      {conn.state.kind === 'failed' && (
        <div className="banner error-banner" role="alert" data-testid="connection-failed">
          Disconnected from this session: {conn.state.error.message}
        </div>
      )}
      {conn.state.kind === 'reconnecting' && (
        <div className="banner" role="status" data-testid="reconnecting">
          Connection lost, reconnecting… Your edits are kept and sent when it is back.
        </div>
      )}
      <div className="editor-body">
        <ErrorBoundary what="the frame view">
          <FrameCanvas
            conn={conn}
            frame={frame}
            frames={frames}
            selectedObjectId={selected}
            hidden={hidden}
            opacity={opacity}
            mode={mode}
            canEdit={canEdit}
            panKey={panKey}
            onSelect={setSelected}
            fitRequest={fitRequest}
            onZoomChange={setZoom}
          />
        </ErrorBoundary>
        <aside className="side">
          <ObjectsPanel
            conn={conn}
            selectedObjectId={selected}
            hidden={hidden}
            canEdit={canEdit}
            onSelect={setSelected}
            onToggleHidden={toggleHidden}
          />
          <PropagationPanel conn={conn} canEdit={canEdit} selectedObjectId={selected} />
        </aside>
      </div>
      <ErrorBoundary what="the timeline">
        <Timeline
          conn={conn}
          frame={frame}
          playing={playing}
          hidden={hidden}
          onSeek={setFrame}
          onTogglePlay={() => setPlaying((p) => !p)}
        />
      </ErrorBoundary>
      <StatusBar conn={conn} zoom={zoom} />
      {help && <KeyboardHelp onClose={() => setHelp(false)} />}
      {dialog === 'share' && <ShareDialog sessionId={sessionId} onClose={() => setDialog(null)} />}
      {dialog === 'export' && (
        <ExportDialog
          conn={conn}
          kind={doc.media.kind}
          objects={doc.objects}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}
