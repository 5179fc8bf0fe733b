import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { fixture, waitJoined } from './support/editor.ts';

test('uploading shows the bytes sent as they go, then opens the editor', async ({ page }) => {
  const { url, video, truth } = fixture();
  await page.goto(url);
  // A slow uplink (32 KB/s), so the ~100 KB upload is seen in progress.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 32 * 1024,
  });
  await page.getByTestId('file-input').setInputFiles(video);
  const status = page.getByTestId('upload-status');
  await expect(status).toContainText('Uploading scene.mp4');
  const bar = status.getByRole('progressbar');
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { intervals: [100] })
    .toBeGreaterThan(0);
  const seen = Number(await bar.getAttribute('aria-valuenow'));
  expect(seen).toBeLessThan(100);
  await expect(status).toContainText(/MB/);
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/, { timeout: 60_000 });
  await waitJoined(page);
  await expect(page.getByTestId('frame-label')).toHaveText(`frame 1 / ${truth.frames}`);
});

/** Records, in the page, every text the ingest progress showed (it may last only a moment). */
async function recordIngestProgress(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __ingestSeen: string[] }).__ingestSeen = seen;
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="ingest-progress"]');
      const text = el?.textContent ?? '';
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/** GET requests for one session's details (`/api/v1/sessions/:id`), by session id. */
function countDetailReads(page: Page): Map<string, number> {
  const reads = new Map<string, number>();
  page.on('request', (req) => {
    const m = /\/api\/v1\/sessions\/([A-Za-z0-9_-]+)$/.exec(new URL(req.url()).pathname);
    if (req.method() === 'GET' && m?.[1]) reads.set(m[1], (reads.get(m[1]) ?? 0) + 1);
  });
  return reads;
}

/** Socket.IO frames the page received whose event is `ingest:*`. */
function countIngestNotices(page: Page): string[] {
  const events: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const m = /^\d+\["(ingest:[a-z]+)"/.exec(String(payload));
      if (m?.[1]) events.push(m[1]);
    }),
  );
  return events;
}

test('R22: after the upload, ingest progress is pushed over Socket.IO (never polled), then the editor opens', async ({
  page,
}) => {
  const { url, video, truth } = fixture();
  await recordIngestProgress(page);
  const reads = countDetailReads(page);
  const notices = countIngestNotices(page);
  await page.goto(url);
  await page.getByTestId('file-input').setInputFiles(video);
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/, { timeout: 60_000 });
  const sessionId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
  await waitJoined(page);
  await expect(page.getByTestId('frame-label')).toHaveText(`frame 1 / ${truth.frames}`);
  const seen = await page.evaluate(() => (window as unknown as { __ingestSeen: string[] }).__ingestSeen);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen[0]).toContain('scene.mp4');
  // The start page never asked for the session's details; the editor read them once, when ready.
  expect(reads.get(sessionId) ?? 0).toBeLessThanOrEqual(1);
  // Whatever of the ingest was left when the page joined came as pushed notices.
  expect(notices.filter((n) => n === 'ingest:failed')).toEqual([]);
  await page.screenshot({ path: 'e2e/screenshots/41-after-ingest.png' });
});

test('R22: an editor link opened while the session is still ingesting shows its progress, then turns into the editor', async ({
  page,
}) => {
  const { url, video, truth } = fixture();
  // Created without `wait=true`: the server answers 201 while it is still decoding.
  const form = new FormData();
  form.append('file', new Blob([readFileSync(video)], { type: 'video/mp4' }), 'scene.mp4');
  const res = await fetch(`${url}/api/v1/sessions`, { method: 'POST', body: form });
  expect(res.status).toBe(201);
  const { sessionId } = (await res.json()) as { sessionId: string };
  const reads = countDetailReads(page);
  await page.goto(`${url}/s/${sessionId}`);
  await waitJoined(page);
  await expect(page.getByTestId('frame-label')).toHaveText(`frame 1 / ${truth.frames}`);
  // Once on opening, at most once more when the ingest finished: never on a timer.
  expect(reads.get(sessionId) ?? 0).toBeLessThanOrEqual(2);
});
