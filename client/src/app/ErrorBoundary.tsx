import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What failed, in words ("the editor", "the timeline"). */
  what: string;
  children: ReactNode;
}

/** Shows what broke and a way out instead of a blank page when a component throws while rendering. */
export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.what} failed`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="error-panel" role="alert">
        <p>
          Something went wrong in {this.props.what}: {this.state.error.message}
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>{' '}
        <a href="/">Back to the start page</a>
      </div>
    );
  }
}
