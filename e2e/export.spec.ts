import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { getMediaTools } from '../server/src/media/tools.ts';
import { createSession, fixture, framePointOnPage, waitJoined } from './support/editor.ts';

test('export: the overlay video downloads as an MP4 with every frame of the session', async ({
  page,
}, info) => {
  const { url, video, truth } = fixture();
  await page.goto(`${url}${await createSession(url, video)}`);
  await waitJoined(page);
  const c = truth.disc[0]!.centroid!;
  const at = await framePointOnPage(page, c.x, c.y);
  await page.mouse.click(at.x, at.y);
  await expect(page.getByTestId('object-row')).toHaveCount(1);

  await page.getByTestId('export').click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  // The server serves either the export jobs API or the one-shot overlay video; both end in a download.
  const oneShot = dialog.getByTestId('export-overlay');
  const jobs = dialog.getByTestId('export-start');
  await expect(oneShot.or(jobs)).toBeVisible();
  const downloaded = page.waitForEvent('download', { timeout: 120_000 });
  if (await oneShot.isVisible()) {
    await oneShot.click();
  } else {
    await dialog.getByLabel('Overlay video (MP4)').check();
    await jobs.click();
    await dialog.getByRole('button', { name: /^Download/ }).click();
  }
  const file = info.outputPath('overlay.mp4');
  await (await downloaded).saveAs(file);

  const { ffprobe } = await getMediaTools();
  const frames = execFileSync(ffprobe.path, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames,width,height',
    '-of',
    'csv=p=0',
    file,
  ])
    .toString()
    .trim();
  expect(frames).toBe(`${truth.width},${truth.height},${truth.frames}`);
});
