import { execFileSync } from 'node:child_process';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import { getMediaTools } from '../server/src/media/tools.ts';
import { createSession, fixture, framePointOnPage, waitJoined } from './support/editor.ts';

/** Clicks the link of the newest finished export in the open dialog; returns where the file was saved. */
async function download(page: Page, info: TestInfo, name: string): Promise<string> {
  const dialog = page.getByRole('dialog', { name: 'Export' });
  const downloaded = page.waitForEvent('download', { timeout: 120_000 });
  await dialog.getByTestId('export-download').first().click();
  const d = await downloaded;
  // The server names the file (Content-Disposition).
  expect(d.suggestedFilename()).toMatch(/\.mp4$/);
  const file = info.outputPath(name);
  await d.saveAs(file);
  return file;
}

/** `width,height,frames` of a video file, read by ffprobe. */
async function probe(file: string): Promise<string> {
  const { ffprobe } = await getMediaTools();
  return execFileSync(ffprobe.path, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,nb_read_frames',
    '-of',
    'csv=p=0',
    file,
  ])
    .toString()
    .trim();
}

test('R23: A exports the overlay video, B sees its progress pushed to the session, both download an MP4 with every frame', async ({
  browser,
}, info) => {
  const { url, video, truth } = fixture();
  const path = await createSession(url, video);
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  // Count export notices B's socket receives: progress is pushed, never polled.
  const pushed: string[] = [];
  b.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const m = /^\d+\["(export:[a-z]+)"/.exec(String(payload));
      if (m?.[1]) pushed.push(m[1]);
    }),
  );
  const polled: string[] = [];
  b.on('request', (req) => {
    if (/\/exports\/[^/]+$/.test(new URL(req.url()).pathname)) polled.push(req.url());
  });
  await a.goto(`${url}${path}`);
  await b.goto(`${url}${path}`);
  await waitJoined(a);
  await waitJoined(b);
  const c = truth.disc[0]!.centroid!;
  const at = await framePointOnPage(a, c.x, c.y);
  await a.mouse.click(at.x, at.y);
  await expect(b.getByTestId('object-row')).toHaveCount(1);

  // B has the dialog open before A starts: everything B sees of the job arrives by notice.
  await b.getByTestId('export').click();
  await a.getByTestId('export').click();
  const dialogA = a.getByRole('dialog', { name: 'Export' });
  // A video session offers the video formats only.
  await expect(dialogA.getByLabel('Overlay video (MP4)')).toBeVisible();
  await dialogA.getByLabel('Overlay video (MP4)').check();
  await dialogA.getByTestId('export-start').click();
  const dialogB = b.getByRole('dialog', { name: 'Export' });
  await expect(dialogB.getByTestId('export-job')).toHaveCount(1);
  await expect(dialogB.getByTestId('export-job')).toHaveAttribute('data-state', 'finished');
  await expect(dialogA.getByTestId('export-job')).toHaveAttribute('data-state', 'finished');
  await b.screenshot({ path: 'e2e/screenshots/40-export-job-finished.png' });
  expect(pushed).toContain('export:started');
  expect(pushed).toContain('export:finished');
  expect(polled).toEqual([]);

  for (const [page, name] of [
    [a, 'a-overlay.mp4'],
    [b, 'b-overlay.mp4'],
  ] as const) {
    const file = await download(page, info, name);
    expect(await probe(file)).toBe(`${truth.width},${truth.height},${truth.frames}`);
  }
});
