import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { getMediaTools } from '../server/src/media/tools.ts';
import { expectMaskOnTruth, fixture, framePointOnPage, waitJoined } from './support/editor.ts';

test('an image dropped on the start page becomes a one-frame session that segments on a click', async ({
  page,
}, info) => {
  const { url, video, truth } = fixture();
  // The video's first frame as a PNG, as a user would bring a still.
  const png = info.outputPath('frame0.png');
  const { ffmpeg } = await getMediaTools();
  execFileSync(ffmpeg.path, ['-v', 'error', '-y', '-i', video, '-frames:v', '1', png]);

  await page.goto(url);
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'still.png', { type: 'image/png' }));
    return dt;
  }, readFileSync(png).toString('base64'));
  await page.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer });
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await waitJoined(page);
  await expect(page.getByTestId('frame-label')).toHaveText('frame 1 / 1');
  await expect(page.getByTestId('play')).toBeDisabled();

  const t0 = truth.disc[0]!;
  const at = await framePointOnPage(page, t0.centroid!.x, t0.centroid!.y);
  await page.mouse.click(at.x, at.y);
  await expect(page.getByTestId('object-row')).toHaveCount(1);
  await page.getByTestId('object-row').locator('input[type=color]').fill('#00e5ff');
  await page.getByTestId('opacity').fill('1');
  await expectMaskOnTruth(page, t0, '#00e5ff', [t0.centroid!]);
});
