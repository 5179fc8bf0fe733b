/**
 * The SDK in a real browser (Debian's Chromium, headless): bundled for the browser platform
 * (which fails on any Node-only import), loaded from the server's origin, it joins a session,
 * clicks, and decodes masks that arrive as ArrayBuffers; a Node SDK client in the same session
 * receives the very same bytes.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeMask, RotoClient } from '@roto/shared/sdk';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../src/inference/onnx-engine.ts';
import { type RealtimeServer, startRealtimeServer, tempDataDir } from './support/server-realtime.ts';
import { interiorPoint, makeScene, maskIoU, SCENE_IDS, sceneObject } from './support/synthetic.ts';

const CHROMIUM = '/usr/bin/chromium';
const scene = makeScene({ frames: 4 });
const disc = sceneObject(scene, SCENE_IDS.disc);

let engine: OnnxEngine;
let server: RealtimeServer;
let browser: Browser;
let bundle: string;
let removeDir: () => Promise<void>;

describe.skipIf(!existsSync(CHROMIUM))('SDK in a browser', () => {
  beforeAll(async () => {
    const out = await build({
      entryPoints: [resolve(import.meta.dirname, '../../shared/src/sdk/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'RotoSDK',
      write: false,
    });
    bundle = out.outputFiles[0]!.text;
    engine = createOnnxEngine({ pack: 'test-tiny' });
    const tmp = await tempDataDir();
    removeDir = tmp.remove;
    server = await startRealtimeServer(engine, tmp.dir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await engine?.close();
    await removeDir?.();
  });

  it('uploads an image, joins, clicks and decodes the mask; a Node client gets the same bytes', async () => {
    const page = await browser.newPage();
    // A page of the server's own origin, as the web app is: no CORS involved.
    await page.goto(`${server.url}/healthz`);
    await page.addScriptTag({ content: bundle });
    /** What the page's globals hold (the server's types have no DOM). */
    type Page = { RotoSDK: typeof import('@roto/shared/sdk'); location: { origin: string } };

    const f = scene.frames[0]!;
    const png = await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })
      .png()
      .toBuffer();
    const created = await page.evaluate(async (bytes) => {
      const { RotoSDK: sdk, location } = globalThis as unknown as Page;
      const api = new sdk.RotoApi(location.origin);
      const file = new File([new Uint8Array(bytes)], 'frame0.png', { type: 'image/png' });
      const session = await api.createSession({ file }, { wait: true });
      const details = await api.getSession(session.sessionId);
      return { sessionId: session.sessionId, status: details.status, source: details.source };
    }, Array.from(png));
    expect(created.status).toBe('ready');
    expect(created.source).toEqual({ kind: 'upload', fileName: 'frame0.png' });
    const { sessionId } = created;

    const node = await RotoClient.connect({ url: server.url, sessionId, user: { name: 'node' } });
    const seen: Uint8Array[] = [];
    node.on('mask:updated', (fact) => seen.push(fact.mask));
    const click = { ...interiorPoint(disc.masks[0]!, scene.width), label: 1 as const };
    const result = await page.evaluate(
      async ({ sessionId, click }) => {
        const { RotoSDK: sdk, location } = globalThis as unknown as Page;
        const client = await sdk.RotoClient.connect({
          url: location.origin,
          sessionId,
          user: { name: 'browser' },
        });
        const states: string[] = [client.state];
        const factBytes: boolean[] = [];
        client.on('mask:updated', (fact) => factBytes.push(fact.mask instanceof Uint8Array));
        const ack = await client.addPrompts({ frame: 0, points: [click] });
        const decoded = sdk.decodeMask(ack.mask.mask);
        client.close();
        states.push(client.state);
        return {
          factBytes,
          bytes: Array.from(ack.mask.mask as Uint8Array),
          width: decoded.width,
          height: decoded.height,
          mask: Array.from(decoded.mask as Uint8Array),
          states,
        };
      },
      { sessionId, click },
    );
    // Browsers receive binary as ArrayBuffer; facts and acks still hand out Uint8Arrays.
    expect(result.factBytes).toEqual([true]);
    expect(result.states).toEqual(['connected', 'offline']);
    expect([result.width, result.height]).toEqual([scene.width, scene.height]);
    expect(maskIoU(Uint8Array.from(result.mask), disc.masks[0]!)).toBeGreaterThan(0.9);
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(Buffer.from(seen[0]!).equals(Buffer.from(result.bytes))).toBe(true);
    expect(decodeMask(seen[0]!).mask).toEqual(Uint8Array.from(result.mask));
    node.close();
    await page.close();
  });
});
