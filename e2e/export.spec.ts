import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import { getMediaTools } from '../server/src/media/tools.ts';
import { createSession, fixture, framePointOnPage, waitJoined } from './support/editor.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * Opens a session on `url`, segments the disc, exports the overlay video through the dialog and
 * returns where the downloaded file was saved. `expectJobs`: whether the server should offer the
 * export jobs API (formats, progress, download) or the one-shot overlay video.
 */
async function exportOverlay(page: Page, url: string, info: TestInfo, expectJobs: boolean): Promise<string> {
  const { video, truth } = fixture();
  await page.goto(`${url}${await createSession(url, video)}`);
  await waitJoined(page);
  const c = truth.disc[0]!.centroid!;
  const at = await framePointOnPage(page, c.x, c.y);
  await page.mouse.click(at.x, at.y);
  await expect(page.getByTestId('object-row')).toHaveCount(1);

  await page.getByTestId('export').click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  const downloaded = page.waitForEvent('download', { timeout: 120_000 });
  if (expectJobs) {
    await dialog.getByLabel('Overlay video (MP4)').check();
    await dialog.getByTestId('export-start').click();
    await expect(dialog.getByTestId('export-job')).toHaveAttribute('data-state', 'finished');
    await page.screenshot({ path: 'e2e/screenshots/40-export-job-finished.png' });
    await dialog.getByRole('button', { name: /^Download/ }).click();
  } else {
    await dialog.getByTestId('export-overlay').click();
  }
  const file = info.outputPath('overlay.mp4');
  await (await downloaded).saveAs(file);
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

test('export on the main server: the overlay video downloads as an MP4 with every frame of the session', async ({
  page,
}, info) => {
  const { url, truth } = fixture();
  const jobsServed = (await fetch(`${url}/api/v1/export-formats`)).ok;
  const file = await exportOverlay(page, url, info, jobsServed);
  expect(await probe(file)).toBe(`${truth.width},${truth.height},${truth.frames}`);
});

test.describe('with the export jobs API', () => {
  let server: RunningServer;
  let dir: string;
  test.beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roto-e2e-exports-'));
    server = await startServer({
      dataDir: dir,
      modelPack: 'test-tiny',
      script: 'e2e/support/serve-with-exports.ts',
    });
  });
  test.afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the dialog lists the formats, follows the job and downloads its file', async ({ page }, info) => {
    const { truth } = fixture();
    const file = await exportOverlay(page, server.url, info, true);
    expect(await probe(file)).toBe(`${truth.width},${truth.height},${truth.frames}`);
  });
});
