import { expect, test } from '@playwright/test';
import { fixture, framePointOnPage, waitJoined } from './support/editor.ts';

const SHOTS = 'e2e/screenshots';

test('the owner shares a view-only link; the viewer watches but cannot edit; revoking cuts the viewer off', async ({
  browser,
}) => {
  const { url, video, truth } = fixture();
  const a = await (await browser.newContext({ baseURL: url })).newPage();
  const b = await (await browser.newContext({ baseURL: url })).newPage();

  // A made the session in this browser, so A holds its owner token and may share it.
  await a.goto('/');
  await a.getByTestId('file-input').setInputFiles(video);
  await a.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await waitJoined(a);
  await a.getByTestId('share').click();
  const dialog = a.getByRole('dialog', { name: 'Share' });
  await dialog.getByLabel('Role').selectOption('viewer');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const link = await dialog.getByTestId('share-url').inputValue();
  expect(link).toContain('#token=');
  await expect(dialog.getByTestId('share-link')).toHaveCount(1);
  await a.screenshot({ path: `${SHOTS}/30-a-share-dialog.png` });

  // B opens the link: joined as a viewer, B's clicks do not change the session.
  await b.goto(link);
  await waitJoined(b);
  await expect(b.getByTestId('connection-state')).toContainText('view only');
  expect(b.url()).not.toContain('token=');
  const c = truth.disc[0]!.centroid!;
  const at = await framePointOnPage(b, c.x, c.y);
  await b.mouse.click(at.x, at.y);
  await expect(b.getByRole('button', { name: '+ Add' })).toBeDisabled();
  await expect(b.getByTestId('propagate-forward')).toBeDisabled();

  // A's click still reaches B.
  await dialog.getByRole('button', { name: 'Close' }).click();
  const atA = await framePointOnPage(a, c.x, c.y);
  await a.mouse.click(atA.x, atA.y);
  await expect(b.getByTestId('object-row')).toHaveCount(1);

  // A revokes the link: B is told and cut off.
  await a.getByTestId('share').click();
  await a.getByRole('dialog', { name: 'Share' }).getByRole('button', { name: 'Revoke' }).click();
  await expect(a.getByRole('dialog', { name: 'Share' }).getByTestId('share-link')).toContainText('revoked');
  // R20: B sees that the link was revoked, and the tab stops trying (no reconnecting banner).
  await expect(b.getByTestId('link-revoked')).toContainText('This link was revoked');
  await expect(b.getByTestId('connection-state')).toHaveAttribute('data-state', 'revoked');
  await expect(b.getByTestId('reconnecting')).toHaveCount(0);
  await expect(b.getByTestId('propagate-forward')).toBeDisabled();
  await b.screenshot({ path: `${SHOTS}/31-b-revoked.png` });
});
