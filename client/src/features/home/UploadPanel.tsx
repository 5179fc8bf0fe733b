import { useQueryClient } from '@tanstack/react-query';
import { type DragEvent, type FormEvent, useEffect, useRef, useState } from 'react';
import { createFromUrl, type UploadProgress, uploadFile } from '../../api/sessions.ts';
import { editorPath, navigate } from '../../app/router.ts';
import { useIngestWatch } from '../../realtime/use-ingest.ts';
import { ProgressBar } from '../../ui/ProgressBar.tsx';

type Step =
  | { kind: 'idle' }
  | { kind: 'uploading'; name: string; progress: UploadProgress }
  | { kind: 'ingesting'; sessionId: string; name: string }
  | { kind: 'failed'; message: string };

const PHASE_LABEL: Record<string, string> = {
  upload: 'Receiving',
  probe: 'Reading the file',
  decode: 'Decoding frames',
  thumbnails: 'Building thumbnails',
};

/**
 * Drop zone, file picker and URL field. Shows the upload's bytes (XHR progress), then the server's
 * ingest progress (pushed over Socket.IO: phase, decoded frames, fps), then opens the editor on
 * `ingest:finished`; `ingest:failed`'s message shows next to the drop zone.
 */
export function UploadPanel() {
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const [url, setUrl] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const abort = useRef<AbortController | null>(null);
  const queryClient = useQueryClient();
  const ingesting = step.kind === 'ingesting' ? step.sessionId : null;
  const watch = useIngestWatch(ingesting);

  useEffect(() => {
    if (step.kind !== 'ingesting') return;
    if (watch.kind === 'finished') {
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
      navigate(editorPath(step.sessionId));
    } else if (watch.kind === 'failed') {
      setStep({ kind: 'failed', message: watch.message || 'The server could not read this file.' });
    }
  }, [watch, step, queryClient]);

  const start = async (file: File) => {
    abort.current = new AbortController();
    setStep({ kind: 'uploading', name: file.name, progress: { loaded: 0, total: file.size } });
    try {
      const created = await uploadFile(
        file,
        (progress) => setStep({ kind: 'uploading', name: file.name, progress }),
        abort.current.signal,
      );
      setStep({ kind: 'ingesting', sessionId: created.sessionId, name: file.name });
    } catch (err) {
      setStep({ kind: 'failed', message: (err as Error).message });
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void start(file);
  };

  const onUrl = async (e: FormEvent) => {
    e.preventDefault();
    if (!url.trim()) return;
    setStep({ kind: 'uploading', name: url, progress: { loaded: 0, total: 0 } });
    try {
      const created = await createFromUrl(url.trim());
      setStep({ kind: 'ingesting', sessionId: created.sessionId, name: url });
    } catch (err) {
      setStep({ kind: 'failed', message: (err as Error).message });
    }
  };

  const busy = step.kind === 'uploading' || step.kind === 'ingesting';
  const progress = watch.kind === 'progress' ? watch.progress : null;
  return (
    <section className="upload-panel" aria-label="New session">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a mouse shortcut; the button inside does the same from the keyboard */}
      <div
        className={`drop-zone${dragging ? ' dragging' : ''}`}
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop a video or an image here</p>
        <button type="button" disabled={busy} onClick={() => input.current?.click()}>
          Choose a file…
        </button>
        <input
          ref={input}
          type="file"
          accept="video/*,image/*"
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void start(file);
            e.target.value = '';
          }}
        />
      </div>
      <form className="url-form" onSubmit={onUrl}>
        <input
          type="url"
          placeholder="…or paste a video URL (http/https)"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          disabled={busy}
          aria-label="Video URL"
        />
        <button type="submit" disabled={busy || !url.trim()}>
          Open
        </button>
      </form>
      <div className="upload-status" aria-live="polite" data-testid="upload-status">
        {step.kind === 'uploading' && (
          <>
            <span>Uploading {step.name}</span>
            <ProgressBar
              done={step.progress.loaded}
              total={step.progress.total}
              label={formatBytes(step.progress.loaded, step.progress.total)}
            />
            <button type="button" onClick={() => abort.current?.abort()}>
              Cancel
            </button>
          </>
        )}
        {step.kind === 'ingesting' && (
          <div
            className="ingest-progress"
            data-testid="ingest-progress"
            data-phase={progress?.phase ?? 'probe'}
          >
            <span>
              {PHASE_LABEL[progress?.phase ?? 'probe']} {step.name}
            </span>
            <ProgressBar
              done={progress?.done ?? 0}
              total={progress?.total ?? 0}
              label={
                progress?.phase === 'decode'
                  ? `${progress.done} / ${progress.total} frames${progress.fps ? ` · ${Math.round(progress.fps)} fps` : ''}`
                  : ''
              }
            />
          </div>
        )}
        {step.kind === 'failed' && (
          <p className="error" role="alert">
            {step.message}{' '}
            <button type="button" onClick={() => setStep({ kind: 'idle' })}>
              Dismiss
            </button>
          </p>
        )}
      </div>
    </section>
  );
}

function formatBytes(loaded: number, total: number): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return total > 0 ? `${mb(loaded)} / ${mb(total)} MB` : `${mb(loaded)} MB`;
}
