import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { expectMaskOnTruth, fixture, framePointOnPage, goToFrame, waitJoined } from './support/editor.ts';

const SHOTS = 'e2e/screenshots';
mkdirSync(SHOTS, { recursive: true });

/** A colour no scene object has, so mask pixels cannot be mistaken for the video's own. */
const OBJECT_COLOR = '#00e5ff';

async function setOpaque(page: Page): Promise<void> {
  await page.getByTestId('opacity').fill('1');
}

test('two people: A uploads, B opens the link, both see A’s mask, propagation streams to B, a reload mid-job shows the job', async ({
  browser,
}) => {
  const { url, video, truth } = fixture();
  const a = await (await browser.newContext({ baseURL: url })).newPage();
  const b = await (await browser.newContext({ baseURL: url })).newPage();

  // A brings the video: upload progress, ingest progress, then the editor.
  await a.goto('/');
  await a.getByTestId('file-input').setInputFiles(video);
  await a.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await waitJoined(a);
  await expect(a.getByTestId('frame-label')).toHaveText(`frame 1 / ${truth.frames}`);

  // B opens A's editor link.
  await b.goto(a.url());
  await waitJoined(b);
  await expect(a.getByTestId('presence').locator('li')).toHaveCount(2);
  await expect(b.getByTestId('presence').locator('li')).toHaveCount(2);

  // A clicks the disc on frame 0: an object appears for both.
  const t0 = truth.disc[0]!;
  const click = t0.centroid!;
  const at = await framePointOnPage(a, click.x, click.y);
  await a.mouse.click(at.x, at.y);
  await expect(a.getByTestId('object-row')).toHaveCount(1);
  await expect(b.getByTestId('object-row')).toHaveCount(1);

  // A recolours it; both see the new colour, then each checks the pixels on their own screen.
  await a.getByTestId('object-row').locator('input[type=color]').fill(OBJECT_COLOR);
  await expect(b.getByTestId('object-row')).toHaveAttribute('data-color', OBJECT_COLOR);
  await setOpaque(a);
  await setOpaque(b);
  await expectMaskOnTruth(a, t0, OBJECT_COLOR, [click]);
  await expectMaskOnTruth(b, t0, OBJECT_COLOR, [click]);
  await a.screenshot({ path: `${SHOTS}/01-a-after-click.png` });
  await b.screenshot({ path: `${SHOTS}/02-b-sees-mask.png` });

  // A propagates forward; B sees the job's progress and the masks arrive on B's timeline as they are made.
  await a.getByTestId('propagate-forward').click();
  const progress = b.getByTestId('job-progress');
  await expect(progress).toBeVisible();
  await expect.poll(async () => Number(await progress.getAttribute('data-done'))).toBeGreaterThanOrEqual(2);
  const doneBefore = Number(await progress.getAttribute('data-done'));
  await expect
    .poll(async () => Number(await b.getByTestId('object-bar').getAttribute('data-covered')))
    .toBeGreaterThan(2);
  await b.screenshot({ path: `${SHOTS}/03-b-progress.png` });

  // B reloads in the middle: after the reload B sees the running job with the progress it had
  // reached (not restarted from 0) and the masks made so far, or its outcome if it just ended.
  await b.reload();
  await waitJoined(b);
  await expect(b.getByTestId('job-progress').or(b.getByTestId('job-outcome'))).toBeVisible();
  if (await b.getByTestId('job-progress').isVisible()) {
    const after = b.getByTestId('job-progress');
    expect(Number(await after.getAttribute('data-total'))).toBe(truth.frames - 1);
    expect(Number(await after.getAttribute('data-done'))).toBeGreaterThanOrEqual(doneBefore);
    expect(Number(await b.getByTestId('object-bar').getAttribute('data-covered'))).toBeGreaterThanOrEqual(
      doneBefore + 1,
    );
    await b.screenshot({ path: `${SHOTS}/04-b-reloaded-mid-job.png` });
  }
  await expect(b.getByTestId('job-outcome')).toContainText('finished');
  await expect(a.getByTestId('job-outcome')).toContainText('finished');

  // Every frame now has a mask: the object's timeline bar covers the video.
  await expect(b.getByTestId('object-bar')).toHaveAttribute('data-covered', String(truth.frames));

  // B looks at a later frame: the tracked mask is on the disc there.
  await setOpaque(b);
  const later = truth.disc[truth.frames - 4]!;
  await goToFrame(b, later.frame);
  await expectMaskOnTruth(b, later, OBJECT_COLOR);
  await b.screenshot({ path: `${SHOTS}/05-b-later-frame.png` });
  // A sees where B is on the timeline (presence), and the same mask on that frame.
  await expect(a.locator('.presence-marker')).toHaveCount(1);
  await setOpaque(a);
  await goToFrame(a, later.frame);
  await expectMaskOnTruth(a, later, OBJECT_COLOR);
  await a.screenshot({ path: `${SHOTS}/06-a-later-frame.png` });

  // A corrects the object on that frame: the masks tracked after it turn stale on B's timeline (R12),
  // and a new forward propagation recomputes them.
  const fix = await framePointOnPage(a, later.centroid!.x + 5, later.centroid!.y);
  await a.mouse.click(fix.x, fix.y);
  const stale = b.getByTestId('object-bar').locator('[data-status=stale]');
  await expect(stale).toHaveCount(1);
  await expect(b.getByTestId('object-bar').locator('[data-status=prompted]')).toHaveCount(2);
  await b.screenshot({ path: `${SHOTS}/07-b-stale-after-correction.png` });
  await a.getByTestId('propagate-forward').click();
  await expect(stale).toHaveCount(0);
  await expect(b.getByTestId('object-bar')).toHaveAttribute('data-covered', String(truth.frames));

  // B plays the video from the start: frames are drawn with their masks all the way to the end.
  await goToFrame(b, 0);
  await b.getByTestId('frame-canvas').evaluate((c) => {
    const played = new Set<number>();
    (window as unknown as { played: Set<number> }).played = played;
    new MutationObserver(() => {
      const d = (c as HTMLCanvasElement).dataset;
      if (d.drawnFrame === d.frame && d.maskLayers === '1') played.add(Number(d.frame));
    }).observe(c, { attributes: true });
  });
  await b.keyboard.press('k');
  await expect(b.getByTestId('frame-label')).toHaveText(`frame ${truth.frames} / ${truth.frames}`);
  const played = await b.evaluate(() => (window as unknown as { played: Set<number> }).played.size);
  // Playback keeps to the video's 12 fps (waiting for frames not yet decoded), so nearly every frame is shown, each with its mask.
  expect(played).toBeGreaterThanOrEqual(truth.frames * 0.75);
});
