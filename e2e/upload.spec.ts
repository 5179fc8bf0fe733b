import { expect, test } from '@playwright/test';
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
