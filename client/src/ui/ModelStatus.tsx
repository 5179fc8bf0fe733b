import { useHealth } from '../api/health.ts';

/**
 * The active model pack from `/healthz`; when the pack is missing or broken, says so plainly with
 * the command that fetches it (clicks cannot work without it).
 */
export function ModelStatus({ compact }: { compact: boolean }) {
  const health = useHealth();
  if (health.isPending) return <span className="model-status">checking the server…</span>;
  if (health.isError)
    return <span className="model-status error">server unreachable: {health.error.message}</span>;
  const { model } = health.data;
  if (model.status === 'ready') {
    return (
      <span
        className="model-status"
        data-testid="model-status"
        title={`providers: ${model.providers.join(', ')}`}
      >
        model <strong>{model.title ?? model.pack}</strong>
        {compact ? '' : ` on ${model.providers.join(', ')}`}
      </span>
    );
  }
  if (model.status === 'loading') return <span className="model-status">loading model {model.pack}…</span>;
  // The server's message often already names the command; say it once, as code to copy.
  const message =
    model.message && !compact
      ? model.message.replace(model.fetchCommand ?? '\u0000', '').replace(/\s*Run:\s*$/, '')
      : '';
  return (
    <span className="model-status error" role="alert" data-testid="model-status" title={model.message}>
      Model pack <strong>{model.pack}</strong> is {model.status}
      {message ? `: ${message}` : '.'}
      {model.fetchCommand && (
        <>
          {' '}
          Fetch it with <code>{model.fetchCommand}</code>
        </>
      )}
    </span>
  );
}
