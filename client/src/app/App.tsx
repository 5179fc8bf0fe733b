import { useHealth } from '../api/health.ts';

/** The app shell: a header and the server/model status bar. Editor pages mount here. */
export function App() {
  const health = useHealth();
  return (
    <div className="app">
      <header className="app-header">
        <h1>Roto</h1>
        <span className="tagline">collaborative video segmentation</span>
      </header>
      <main className="app-main">
        {health.isPending && <p>Connecting to the server…</p>}
        {health.isError && <p className="error">Cannot reach the server: {health.error.message}</p>}
        {health.data && <ModelStatus model={health.data.model} />}
      </main>
      <footer className="status-bar">
        {health.data ? `server ${health.data.version} · up ${Math.round(health.data.uptimeSec)} s` : 'offline'}
      </footer>
    </div>
  );
}

function ModelStatus({ model }: { model: NonNullable<ReturnType<typeof useHealth>['data']>['model'] }) {
  if (model.status === 'ready') {
    return (
      <p>
        Model pack <strong>{model.title ?? model.pack}</strong> is ready on {model.providers.join(', ')}.
      </p>
    );
  }
  if (model.status === 'loading') return <p>Loading model pack {model.pack}…</p>;
  return (
    <div className="error" role="alert">
      <p>
        Model pack <strong>{model.pack}</strong> is {model.status}. {model.message}
      </p>
      {model.fetchCommand && (
        <p>
          Fetch it with <code>{model.fetchCommand}</code>
        </p>
      )}
    </div>
  );
}
