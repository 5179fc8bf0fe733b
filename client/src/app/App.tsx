import { EditorPage } from '../features/editor/EditorPage.tsx';
import { HomePage } from '../features/home/HomePage.tsx';
import { ModelStatus } from '../ui/ModelStatus.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { useRoute } from './router.ts';

/** The app shell: the page for the current route, each behind its own error boundary. */
export function App() {
  const route = useRoute();
  if (route.page === 'editor') {
    return (
      <ErrorBoundary what="the editor">
        <EditorPage key={route.sessionId} sessionId={route.sessionId} />
      </ErrorBoundary>
    );
  }
  return (
    <div className="app">
      <header className="app-header">
        <h1>
          <a href="/" className="brand-link">
            Roto
          </a>
        </h1>
        <span className="tagline">collaborative video segmentation</span>
        <ModelStatus compact={false} />
      </header>
      <main className="app-main">
        <ErrorBoundary what="the start page">
          {route.page === 'home' ? (
            <HomePage />
          ) : (
            <p className="error" role="alert">
              There is no page at {route.path}. <a href="/">Go to the start page</a>.
            </p>
          )}
        </ErrorBoundary>
      </main>
    </div>
  );
}
