import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { fixture, framePointOnPage, waitJoined } from './support/editor.ts';
import { type RunningServer, startServer } from './support/server.ts';

let server: RunningServer;
let dir: string;
test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roto-e2e-token-'));
  server = await startServer({
    dataDir: join(dir, 'data'),
    modelPack: 'test-tiny',
    env: { AUTH_MODE: 'token' },
  });
});
test.afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('AUTH_MODE=token: the uploader works with the owner token, a bare link is refused, an editor link lets a second person in', async ({
  browser,
}) => {
  const { video, truth } = fixture();
  const a = await (await browser.newContext({ baseURL: server.url })).newPage();
  const b = await (await browser.newContext({ baseURL: server.url })).newPage();

  await a.goto('/');
  await a.getByTestId('file-input').setInputFiles(video);
  await a.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await waitJoined(a);
  // Frames need the token too: the first one is drawn.
  await expect(a.getByTestId('frame-canvas')).toHaveAttribute('data-drawn-frame', '0');
  const c = truth.disc[0]!.centroid!;
  const at = await framePointOnPage(a, c.x, c.y);
  await a.mouse.click(at.x, at.y);
  await expect(a.getByTestId('frame-canvas')).toHaveAttribute('data-mask-layers', '1');
  // The start page shows the poster of a session this browser owns.
  await a.goto('/');
  await expect(a.getByTestId('recent-session').locator('img')).toBeVisible();
  await expect
    .poll(() =>
      a
        .getByTestId('recent-session')
        .locator('img')
        .evaluate((img) => (img as HTMLImageElement).naturalWidth),
    )
    .toBeGreaterThan(0);
  await a.goBack();
  await waitJoined(a);

  // Without a token the editor says why it cannot open the session.
  const bare = a.url();
  await b.goto(bare);
  await expect(b.getByRole('alert')).toContainText(/token|unauthori[sz]ed|access/i);

  // With an editor link B gets in and edits.
  await a.getByTestId('share').click();
  const dialog = a.getByRole('dialog', { name: 'Share' });
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const link = await dialog.getByTestId('share-url').inputValue();
  await b.goto(link);
  await waitJoined(b);
  await expect(b.getByTestId('frame-canvas')).toHaveAttribute('data-drawn-frame', '0');
  await expect(b.getByTestId('frame-canvas')).toHaveAttribute('data-mask-layers', '1');
  await expect(b.getByTestId('connection-state')).toHaveText(/connected$/);
  await b.getByRole('button', { name: '+ Add' }).click();
  await expect(a.getByTestId('object-row')).toHaveCount(2);
});
