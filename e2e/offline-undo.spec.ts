import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import {
  createSession,
  cutConnection,
  expectMaskOnTruth,
  fixture,
  framePointOnPage,
  restoreConnection,
  waitJoined,
} from './support/editor.ts';

const SHOTS = 'e2e/screenshots';
mkdirSync(SHOTS, { recursive: true });

test('a click made while offline is queued, shown as queued, and reaches the other person after reconnecting; undo and redo reach them too', async ({
  browser,
}) => {
  const { url, video, truth } = fixture();
  const path = await createSession(url, video);
  const a = await (await browser.newContext({ baseURL: url })).newPage();
  const b = await (await browser.newContext({ baseURL: url })).newPage();
  await a.goto(path);
  // B finds the session on the start page, with its poster frame, and opens it from there.
  await b.goto('/');
  await b.screenshot({ path: `${SHOTS}/09-b-home.png` });
  const recent = b.getByTestId('recent-session').and(b.locator(`[href="${path}"]`));
  await expect(recent.locator('img')).toBeVisible();
  await recent.click();
  await expect(b).toHaveURL(new RegExp(`${path}$`));
  await waitJoined(a);
  await waitJoined(b);

  await cutConnection(a);
  await expect(a.getByTestId('reconnecting')).toBeVisible();
  const c = truth.disc[0]!.centroid!;
  const at = await framePointOnPage(a, c.x, c.y);
  await a.mouse.click(at.x, at.y);
  await expect(a.getByTestId('queued')).toContainText('1 edit queued');
  await expect(a.getByTestId('segmenting')).toContainText('waiting for the connection');
  await a.screenshot({ path: `${SHOTS}/10-a-offline-queued.png` });
  // Nothing reached B while A was offline.
  await expect(b.getByTestId('object-row')).toHaveCount(0);

  await restoreConnection(a);
  await waitJoined(a);
  await expect(a.getByTestId('queued')).toHaveCount(0);
  await expect(b.getByTestId('object-row')).toHaveCount(1);
  await expect(b.getByTestId('frame-canvas')).toHaveAttribute('data-mask-layers', '1');

  // A undoes the click (its own edit): the object and mask go away for B; redo brings them back.
  await a.keyboard.press('Control+z');
  await expect(b.getByTestId('frame-canvas')).toHaveAttribute('data-mask-layers', '0');
  await a.keyboard.press('Control+Shift+z');
  await expect(b.getByTestId('frame-canvas')).toHaveAttribute('data-mask-layers', '1');
  await expect(b.getByTestId('object-row')).toHaveCount(1);

  // A renames the object; B sees the new name. B hides it on B's screen only.
  await a.getByTestId('object-row').getByTitle('Click to select, double-click to rename').dblclick();
  await a.getByRole('textbox', { name: 'Object name' }).fill('Red disc');
  await a.keyboard.press('Enter');
  await expect(b.getByTestId('object-row')).toContainText('Red disc');
  await b.getByTestId('object-row').getByTitle('Hide').click();
  await expect(b.getByTestId('frame-canvas')).toHaveAttribute('data-mask-layers', '0');
  await expect(a.getByTestId('frame-canvas')).toHaveAttribute('data-mask-layers', '1');
  await b.getByTestId('object-row').getByTitle('Show').click();
  await expect(b.getByTestId('frame-canvas')).toHaveAttribute('data-mask-layers', '1');

  // A starts a propagation and cancels it: both see that it was cancelled.
  await a.getByTestId('propagate-forward').click();
  await a.getByTestId('job-progress').getByRole('button', { name: 'Cancel' }).click();
  await expect(b.getByTestId('job-outcome')).toContainText('cancelled');
  await expect(a.getByTestId('job-outcome')).toContainText('cancelled');

  // B zooms in on the disc with the wheel: the mask stays on the object at any zoom.
  const color = (await b.getByTestId('object-row').getAttribute('data-color')) ?? '';
  await b.getByTestId('opacity').fill('1');
  const before = Number(await b.getByTestId('frame-canvas').getAttribute('data-scale'));
  const onDisc = await framePointOnPage(b, c.x + 10, c.y + 10);
  await b.mouse.move(onDisc.x, onDisc.y);
  await b.mouse.wheel(0, -300);
  await expect
    .poll(async () => Number(await b.getByTestId('frame-canvas').getAttribute('data-scale')))
    .toBeGreaterThan(before * 1.5);
  const t0 = truth.disc[0]!;
  const near = t0.inside.filter(([x, y]) => Math.abs(x - c.x - 10) < 25 && Math.abs(y - c.y - 10) < 25);
  await expectMaskOnTruth(b, { ...t0, inside: near, outside: [] }, color, [c]);
  await b.screenshot({ path: `${SHOTS}/12-b-zoomed.png` });
  await b.keyboard.press('f');

  // B has nothing of its own to undo: the message says so next to the undo button.
  await b.keyboard.press('Control+z');
  await expect(b.getByRole('alert').filter({ hasText: 'Nothing to undo' })).toBeVisible();

  // The keyboard help opens on "?".
  await b.keyboard.press('?');
  await expect(b.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await b.screenshot({ path: `${SHOTS}/11-b-help.png` });
  await b.keyboard.press('Escape');
  await expect(b.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);

  // K plays the video at its fps, with masks, to the last frame.
  await b.keyboard.press('k');
  await expect(b.getByTestId('frame-label')).toHaveText(`frame ${truth.frames} / ${truth.frames}`);
  await expect(b.getByTestId('play')).toHaveText('▶');
});
