/**
 * `npm run bench:client`: serves client/bench through Vite, opens it in headless Chromium
 * (Debian's, as the e2e tests do) and prints how long the editor takes from a mask fact to it
 * being drawn (1280×720, 5 objects) and how fast it scrubs 100 frames with masks, each against
 * the bare baseline (the same draw without masks; a naive decode-then-colour-per-pixel path).
 */
import { chromium } from '@playwright/test';
import { createServer } from 'vite';

const server = await createServer({
  configFile: false,
  root: 'client',
  logLevel: 'error',
  server: { port: 0, host: '127.0.0.1' },
});
await server.listen();
const address = server.httpServer?.address();
if (!address || typeof address === 'string') throw new Error('vite did not listen');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${address.port}/bench/index.html`);
  await page.waitForFunction(() => 'benchResult' in window, null, { timeout: 60_000 });
  type S = { p50: number; p95: number; mean: number };
  const r = (await page.evaluate(
    () => (window as unknown as { benchResult: Promise<unknown> }).benchResult,
  )) as {
    factToDrawn: S;
    coldFrame: S;
    bareDraw: S;
    naive: S;
    outline: S;
    scrubMasksFps: number;
    scrubBareFps: number;
    avgMaskBytes: number;
  };
  const ms = (s: S) => `p50 ${s.p50.toFixed(2)} ms  p95 ${s.p95.toFixed(2)} ms`;
  const version = browser.version();
  console.log(
    `bench:client — headless Chromium ${version}, software canvas (--disable-gpu), 1280×720, 5 objects, masks ~${(r.avgMaskBytes / 1024).toFixed(1)} KB RM each`,
  );
  console.log(`mask fact → drawn (1 new mask, 4 cached):  ${ms(r.factToDrawn)}`);
  console.log(`frame with 5 new masks → drawn:            ${ms(r.coldFrame)}`);
  console.log(
    `  baseline, same draw without masks:       ${ms(r.bareDraw)}   → masks add ×${(r.factToDrawn.p95 / r.bareDraw.p95).toFixed(2)} at p95`,
  );
  console.log(
    `  baseline, naive decode + per-pixel fill: ${ms(r.naive)}   → run fill is ×${(r.naive.p95 / r.coldFrame.p95).toFixed(1)} faster at p95`,
  );
  console.log(`outline mode, 5 new masks → drawn:         ${ms(r.outline)}`);
  console.log(`scrub 100 frames with 5 masks each:        ${r.scrubMasksFps.toFixed(1)} frames/s drawn`);
  console.log(
    `  baseline, scrub without masks:           ${r.scrubBareFps.toFixed(1)} frames/s   → ratio ${(r.scrubMasksFps / r.scrubBareFps).toFixed(2)}`,
  );
} finally {
  await browser.close();
  await server.close();
}
