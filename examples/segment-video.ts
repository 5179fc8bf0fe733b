/**
 * Segments one object through a video with a Roto server, from the command line:
 *
 *   npx tsx examples/segment-video.ts --server http://127.0.0.1:8080 --video clip.mp4 \
 *     --frame 0 --x 120 --y 80 --out masks/
 *
 * Uploads the video, clicks the object at (x, y) on the given frame, propagates through the
 * whole video, and writes one black-and-white PNG per frame (`masks/00000.png`, …; white is
 * the object). Uses only the public SDK (`@roto/shared/sdk`) and sharp for the PNGs.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeMask, isRotoError, RotoApi, RotoClient } from '@roto/shared/sdk';
import { fileFromPath } from '@roto/shared/sdk/node';
import sharp from 'sharp';

const USAGE = `Usage: npx tsx examples/segment-video.ts --server URL --video FILE --x X --y Y [options]

Uploads a video to a Roto server, clicks one object, tracks it through the video and writes one
PNG mask per frame (white = object).

Options:
  --server URL        Roto server base URL (default http://127.0.0.1:8080)
  --video FILE        video (or image) file to upload (required)
  --frame N           frame to click on, 0-based (default 0)
  --x X, --y Y        click position in pixels of the video frame (required)
  --out DIR           folder for the PNGs (default masks/)
  --direction D       forward, backward or both (default both)
  --name NAME         participant name shown to others (default segment-video)
  -h, --help          show this help
`;

interface Args {
  server: string;
  video: string;
  frame: number;
  x: number;
  y: number;
  out: string;
  direction: 'forward' | 'backward' | 'both';
  name: string;
}

function parse(argv: string[]): Args | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string', default: 'http://127.0.0.1:8080' },
      video: { type: 'string' },
      frame: { type: 'string', default: '0' },
      x: { type: 'string' },
      y: { type: 'string' },
      out: { type: 'string', default: 'masks' },
      direction: { type: 'string', default: 'both' },
      name: { type: 'string', default: 'segment-video' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const num = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n))
      throw new UsageError(`--${name} must be a number`);
    return n;
  };
  if (!values.video) throw new UsageError('--video is required');
  const direction = values.direction;
  if (direction !== 'forward' && direction !== 'backward' && direction !== 'both') {
    throw new UsageError('--direction must be forward, backward or both');
  }
  return {
    server: values.server,
    video: values.video,
    frame: num('frame', values.frame),
    x: num('x', values.x),
    y: num('y', values.y),
    out: values.out,
    direction,
    name: values.name,
  };
}

class UsageError extends Error {}

async function main(args: Args): Promise<void> {
  const api = new RotoApi(args.server);
  console.log(`uploading ${args.video} …`);
  const created = await api.createSession(await fileFromPath(args.video), { wait: true });
  const { media } = created;
  console.log(`session ${created.sessionId}: ${media.frameCount} frames, ${media.width}×${media.height}`);

  const client = await RotoClient.connect({
    url: args.server,
    sessionId: created.sessionId,
    user: { name: args.name },
  });
  client.on('state', (state) => console.log(`connection: ${state}`));
  try {
    const click = await client.addPrompts({
      frame: args.frame,
      points: [{ x: args.x, y: args.y, label: 1 }],
    });
    const area = decodeMask(click.mask.mask).mask.reduce((sum, v) => sum + v, 0);
    console.log(
      `clicked (${args.x}, ${args.y}) on frame ${args.frame}: object ${click.objectId}, ${area} px`,
    );

    // Listen before starting: a short job can end before its ack has been read.
    const ended = new Map<string, string | null>(); // jobId → null (finished) or why it did not finish
    let onEnd = () => {};
    const end = (jobId: string, why: string | null) => {
      ended.set(jobId, why);
      onEnd();
    };
    const offs = [
      client.on('job:finished', (f) => end(f.jobId, null)),
      client.on('job:failed', (f) => end(f.jobId, `propagation failed: ${f.error.message}`)),
      client.on('job:cancelled', (f) => end(f.jobId, `propagation cancelled: ${f.reason}`)),
      client.on('job:progressed', (f) => {
        const { done, total, fps, etaSec } = f.progress;
        const eta = etaSec === null ? '' : `, ${etaSec.toFixed(0)} s left`;
        console.log(`propagating: ${done}/${total} frames (${fps.toFixed(1)} fps${eta})`);
      }),
    ];
    const { jobId } = await client.propagate({ direction: args.direction, objectIds: [click.objectId] });
    await new Promise<void>((resolve) => {
      onEnd = () => {
        if (ended.has(jobId)) resolve();
      };
      onEnd();
    });
    for (const off of offs) off();
    const failure = ended.get(jobId);
    if (failure) throw new Error(failure);

    // Every stored mask of the object, whatever was missed on screen: the server is the record.
    const masks = await client.fetchAllMasks({ objectIds: [click.objectId] });
    const byFrame = new Map(masks.map((m) => [m.frame, m.mask]));
    await mkdir(args.out, { recursive: true });
    const empty = new Uint8Array(media.width * media.height);
    let withObject = 0;
    for (let frame = 0; frame < media.frameCount; frame++) {
      const bytes = byFrame.get(frame);
      const pixels = bytes ? decodeMask(bytes).mask : empty;
      const gray = Uint8Array.from(pixels, (v) => (v ? 255 : 0));
      if (bytes && gray.some((v) => v !== 0)) withObject++;
      const path = join(args.out, `${String(frame).padStart(5, '0')}.png`);
      await sharp(gray, { raw: { width: media.width, height: media.height, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(path);
    }
    console.log(`wrote ${media.frameCount} masks to ${args.out} (object visible on ${withObject} frames)`);
  } finally {
    client.close();
  }
}

let args: Args | 'help';
try {
  args = parse(process.argv.slice(2));
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(2);
}
if (args === 'help') {
  console.log(USAGE);
} else {
  try {
    await main(args);
  } catch (err) {
    console.error(
      isRotoError(err)
        ? `error ${err.code}: ${err.message}`
        : err instanceof Error
          ? err.message
          : String(err),
    );
    process.exitCode = 1;
  }
}
