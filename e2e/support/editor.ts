/**
 * Helpers the specs use to drive the editor like a person (clicks at frame positions, keys) and
 * to read back what the person sees (canvas pixels, progress, labels).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';

/** One frame of the fixture's ground truth for the disc. */
export interface FrameTruth {
  frame: number;
  area: number;
  centroid: { x: number; y: number } | null;
  bbox: { x0: number; y0: number; x1: number; y1: number };
  inside: Array<[number, number]>;
  outside: Array<[number, number]>;
}

export interface Fixture {
  url: string;
  video: string;
  truth: {
    width: number;
    height: number;
    fps: number;
    frames: number;
    discColor: [number, number, number];
    disc: FrameTruth[];
  };
}

/** The server and fixture the global setup prepared. */
export function fixture(): Fixture {
  const url = process.env.ROTO_E2E_URL;
  const dir = process.env.ROTO_E2E_FIXTURE;
  if (!url || !dir)
    throw new Error('ROTO_E2E_URL / ROTO_E2E_FIXTURE are unset: run through playwright.config.ts');
  return {
    url,
    video: join(dir, 'scene.mp4'),
    truth: JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')),
  };
}

/** Waits until the editor has joined its session. */
export async function waitJoined(page: Page): Promise<void> {
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'joined');
}

/** Where frame pixel (x, y) is on the page, from the canvas's current view transform. */
export async function framePointOnPage(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('frame-canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the frame canvas is not visible');
  const [scale, tx, ty] = await canvas.evaluate((c) => [
    Number(c.dataset.scale),
    Number(c.dataset.tx),
    Number(c.dataset.ty),
  ]);
  return { x: box.x + x * scale! + tx!, y: box.y + y * scale! + ty! };
}

/** Goes to frame `n` with the arrow keys (as a person would) and waits until it is drawn. */
export async function goToFrame(page: Page, n: number): Promise<void> {
  const canvas = page.getByTestId('frame-canvas');
  const current = Number(await canvas.getAttribute('data-frame'));
  await page
    .locator('body')
    .click({ position: { x: 2, y: 2 } })
    .catch(() => undefined);
  for (let i = current; i < n; i++) await page.keyboard.press('ArrowRight');
  for (let i = current; i > n; i--) await page.keyboard.press('ArrowLeft');
  await expect(canvas).toHaveAttribute('data-frame', String(n));
  await expect(canvas).toHaveAttribute('data-drawn-frame', String(n));
}

/**
 * Reads the canvas back and counts, among the ground truth's sample pixels, those drawn in the
 * object's colour (opacity at 100 % makes mask pixels exactly that colour). Samples within `skip`
 * frame pixels of `avoid` (a click marker drawn on top) are left out.
 */
export async function maskCoverage(
  page: Page,
  truth: FrameTruth,
  color: string,
  avoid: Array<{ x: number; y: number }> = [],
  skip = 6,
): Promise<{ inside: number; outside: number; insideN: number; outsideN: number }> {
  const keep = ([x, y]: [number, number]) => avoid.every((a) => Math.hypot(a.x - x, a.y - y) > skip);
  return page.getByTestId('frame-canvas').evaluate(
    (c, args) => {
      const canvas = c as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const dpr = canvas.width / canvas.clientWidth;
      const scale = Number(canvas.dataset.scale);
      const tx = Number(canvas.dataset.tx);
      const ty = Number(canvas.dataset.ty);
      const n = Number.parseInt(args.color.slice(1), 16);
      const want = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
      const isObject = ([x, y]: [number, number]) => {
        const px = Math.floor((x * scale + tx) * dpr);
        const py = Math.floor((y * scale + ty) * dpr);
        const i = (py * img.width + px) * 4;
        return (
          Math.abs(img.data[i]! - want[0]!) <= 12 &&
          Math.abs(img.data[i + 1]! - want[1]!) <= 12 &&
          Math.abs(img.data[i + 2]! - want[2]!) <= 12
        );
      };
      return {
        inside: args.inside.filter(isObject).length,
        insideN: args.inside.length,
        outside: args.outside.filter(isObject).length,
        outsideN: args.outside.length,
      };
    },
    { inside: truth.inside.filter(keep), outside: truth.outside.filter(keep), color },
  );
}

/** Asserts the object's colour covers the ground-truth region (≥ 90 % of it) and stays out of its surroundings (≤ 5 %). */
export async function expectMaskOnTruth(
  page: Page,
  truth: FrameTruth,
  color: string,
  avoid: Array<{ x: number; y: number }> = [],
): Promise<void> {
  await expect
    .poll(async () => {
      const c = await maskCoverage(page, truth, color, avoid);
      return c.inside / c.insideN >= 0.9 && c.outside / Math.max(1, c.outsideN) <= 0.05
        ? 'ok'
        : JSON.stringify(c);
    })
    .toBe('ok');
}

/** Private socket of the SDK client the editor runs on (reached into only to cut the line on purpose). */
// The SDK keeps its socket in the client's session link (private in TypeScript, reachable at run time).
type Reachable = {
  __rotoConnection?: { client?: { link?: { socket?: { disconnect(): void; connect(): void } } } };
};

/** Cuts the editor's connection as a network drop would (the SDK does not reconnect until `restoreConnection`). */
export async function cutConnection(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as unknown as Reachable).__rotoConnection?.client?.link?.socket?.disconnect(),
  );
}

/** Lets the editor's connection come back. */
export async function restoreConnection(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as unknown as Reachable).__rotoConnection?.client?.link?.socket?.connect(),
  );
}

/** Creates a session from the fixture video over REST (as another client would) and returns its editor path. */
export async function createSession(baseUrl: string, video: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(video)], { type: 'video/mp4' }), 'scene.mp4');
  const res = await fetch(`${baseUrl}/api/v1/sessions?wait=true`, { method: 'POST', body: form });
  if (res.status !== 201) throw new Error(`creating the session failed: ${res.status} ${await res.text()}`);
  const { sessionId } = (await res.json()) as { sessionId: string };
  return `/s/${sessionId}`;
}
