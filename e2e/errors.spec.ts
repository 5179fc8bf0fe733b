import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createSession, fixture, framePointOnPage, waitJoined } from './support/editor.ts';
import { type RunningServer, startServer } from './support/server.ts';

const SHOTS = 'e2e/screenshots';

test('an unknown session and an unknown page say so instead of a blank page', async ({ page }) => {
  const { url } = fixture();
  await page.goto(`${url}/s/doesnotexist`);
  await expect(page.getByRole('alert')).toContainText(/not found|no session|does not exist/i);
  await expect(page.getByRole('link', { name: /back/i })).toBeVisible();
  await page.goto(`${url}/nowhere/at/all`);
  await expect(page.getByRole('alert')).toContainText('There is no page at /nowhere/at/all');
});

test('a background click with no object selected is explained next to the click', async ({ page }) => {
  const { url, video, truth } = fixture();
  await page.goto(`${url}${await createSession(url, video)}`);
  await waitJoined(page);
  const c = truth.disc[0]!.centroid!;
  const at = await framePointOnPage(page, c.x, c.y);
  await page.mouse.click(at.x, at.y, { button: 'right' });
  const err = page.locator('.canvas-error');
  await expect(err).toContainText('Select an object first');
  const box = await err.boundingBox();
  // Shown where the click was, not in some distant corner.
  expect(Math.hypot(box!.x - at.x, box!.y - at.y)).toBeLessThan(60);
});

test.describe('with the model pack missing', () => {
  let server: RunningServer;
  let dir: string;
  test.beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roto-e2e-nopack-'));
    // A real pack name whose weights are not on this machine (they are never committed).
    server = await startServer({ dataDir: dir, modelPack: 'sam2.1-hiera-tiny', readyPath: '/healthz' });
  });
  test.afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the start page and the editor say the pack is missing and how to fetch it; a click explains why it failed', async ({
    page,
  }) => {
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
      model: { status: string; fetchCommand?: string };
    };
    expect(health.model.status).toBe('missing');
    const command = health.model.fetchCommand!;
    await page.goto(server.url);
    await expect(page.getByTestId('model-status')).toContainText(command);
    await expect(page.getByTestId('model-status')).toContainText('missing');

    // Frames do not need the model: the session opens, and the status bar keeps the message.
    const { video, truth } = fixture();
    await page.goto(`${server.url}${await createSession(server.url, video)}`);
    await waitJoined(page);
    await expect(page.getByTestId('status-bar').getByTestId('model-status')).toContainText(command);
    const c = truth.disc[0]!.centroid!;
    const at = await framePointOnPage(page, c.x, c.y);
    await page.mouse.click(at.x, at.y);
    await expect(page.locator('.canvas-error')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/20-missing-pack.png` });
  });
});
