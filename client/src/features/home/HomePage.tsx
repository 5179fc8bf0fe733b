import { RecentSessions } from './RecentSessions.tsx';
import { UploadPanel } from './UploadPanel.tsx';
import './home.css';

/** The start page: bring a video or image, or reopen a recent session. */
export function HomePage() {
  return (
    <div className="home">
      <UploadPanel />
      <RecentSessions />
    </div>
  );
}
