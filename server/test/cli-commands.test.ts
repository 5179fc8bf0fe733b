/**
 * The `roto` command line as a user meets it, each run a child process: help on every command,
 * `info` on a real video, `models` delegated, `serve` answering HTTP, and usage errors that exit 2
 * with a message naming the problem.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMediaTools } from '../src/media/tools.ts';
import { type CliRun, runRoto, tempDir } from './cli-harness.ts';
import { makeScene } from './support/synthetic.ts';
import { writeSceneVideo } from './support/synthetic-video.ts';

let work: { dir: string; remove: () => Promise<void> };
let video: string;

beforeAll(async () => {
  work = await tempDir('roto-cli-commands-');
  video = join(work.dir, 'clip.mp4');
  await writeSceneVideo(makeScene({ frames: 6, fps: 12 }), video, (await getMediaTools()).ffmpeg.path);
});

afterAll(() => work.remove());

describe('help', () => {
  it.each([
    [[], 2, 'Usage: roto <command>'],
    [['--help'], 0, 'Usage: roto <command>'],
    [['serve', '--help'], 0, 'Usage: roto serve'],
    [['segment', '--help'], 0, 'Usage: roto segment'],
    [['info', '-h'], 0, 'Usage: roto info'],
    [['models', '--help'], 0, 'Usage: models <command>'],
    [['models', 'fetch', '--help'], 0, 'Usage: models fetch'],
    [['help', 'segment'], 0, 'Usage: roto segment'],
  ])('roto %j exits %i with its usage', async (args, code, usage) => {
    const run = await runRoto(args);
    expect(run.code).toBe(code);
    expect(run.stdout.startsWith(usage), run.stdout).toBe(true);
  });

  it('serve --help lists the environment variables its flags override', async () => {
    const run = await runRoto(['serve', '--help']);
    expect(run.stdout).toMatch(/--port <n>\s+\[PORT\]/);
    expect(run.stdout).toMatch(/MODEL_PACK\s+model pack name/);
  });
});

describe('info', () => {
  it('--json gives size, rate, frames, duration, codec and audio', async () => {
    const run = await runRoto(['info', video, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      kind: 'video',
      width: 320,
      height: 240,
      fps: 12,
      frameCount: 6,
      durationSec: 0.5,
      codec: 'h264',
      hasAudio: false,
    });
  });

  it('prints a table for people', async () => {
    const run = await runRoto(['info', video]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^size\s+320×240$/m);
    expect(run.stdout).toMatch(/^frames\s+6$/m);
    expect(run.stdout).toMatch(/^audio\s+no$/m);
  });

  it('a file that is no video fails with exit 1 and says what it is', async () => {
    const pdf = join(work.dir, 'notes.mp4');
    await writeFile(pdf, '%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
    const run = await runRoto(['info', pdf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/roto info: This is a PDF document.*\[UNSUPPORTED_MEDIA\]/);
  });
});

describe('models', () => {
  it('list is the models command line, test-tiny installed and active', async () => {
    const run = await runRoto(['models', 'list', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const list = JSON.parse(run.stdout) as {
      activePack: string;
      packs: Array<{ name: string; status: string }>;
    };
    expect(list.activePack).toBe('test-tiny');
    expect(list.packs.find((p) => p.name === 'test-tiny')?.status).toBe('installed');
  });
});

describe('usage errors exit 2 and name the problem', () => {
  const expectUsage = (run: CliRun, message: string) => {
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  };
  const seg = (...args: string[]) => runRoto(['segment', video, '-o', join(work.dir, 'out.mp4'), ...args]);

  it('an unknown command', async () => {
    expectUsage(
      await runRoto(['segmnet']),
      'roto: unknown command "segmnet" (commands: serve, segment, info, models)',
    );
  });

  it('bad JSON in --points', async () => {
    expectUsage(await seg('--points', '[[10,20],'), '--points is not valid JSON');
  });

  it('--points that are not pairs', async () => {
    expectUsage(await seg('--points', '[[10,20,30]]'), '--points');
  });

  it('more labels than points', async () => {
    expectUsage(
      await seg('--points', '[[10,20]]', '--labels', '[1,0]'),
      '--labels has 2 labels but --points has 1 point: give one label per point',
    );
  });

  it('a label other than 0 or 1', async () => {
    expectUsage(
      await seg('--points', '[[10,20]]', '--labels', '[2]'),
      '--labels must hold only 1 (include) or 0 (exclude)',
    );
  });

  it('no prompt at all', async () => {
    expectUsage(await seg(), 'nothing to segment: give --points (and --labels) or --box');
  });

  it('a frame past the end of the video', async () => {
    expectUsage(
      await seg('--points', '[[10,20]]', '--frame', '6'),
      '--frame 6 is out of range: the video has 6 frames, 0–5',
    );
  });

  it('a point outside the picture', async () => {
    expectUsage(
      await seg('--points', '[[10,20],[400,20]]'),
      '--points[1] (400, 20) is outside the 320×240 video',
    );
  });

  it('an unknown format', async () => {
    expectUsage(
      await seg('--points', '[[10,20]]', '--format', 'gif'),
      'unknown --format "gif": use one of overlay, masks, davis, coco, ytvis, yolo, alpha',
    );
  });

  it('no --export', async () => {
    expectUsage(await runRoto(['segment', video, '--points', '[[10,20]]']), '--export <file> is required');
  });

  it('a missing input file', async () => {
    expectUsage(
      await runRoto(['segment', join(work.dir, 'nope.mp4'), '--points', '[[1,1]]', '-o', 'x.mp4']),
      'no such file',
    );
  });

  it('an unknown option', async () => {
    expectUsage(await seg('--point', '[[10,20]]'), "Unknown option '--point'");
  });

  it('a bad --direction', async () => {
    expectUsage(
      await seg('--points', '[[10,20]]', '--direction', 'sideways'),
      '--direction must be one of forward, backward, both (got "sideways")',
    );
  });

  it('serve with a port out of range', async () => {
    expectUsage(await runRoto(['serve', '--port', '70000']), '--port: must be at most 65535');
  });
});

describe('serve', () => {
  it('listens on the flag-given port and host, answers /healthz, and stops on SIGTERM', async () => {
    let url = '';
    let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
    let sawListening: () => void = () => undefined;
    const listening = new Promise<void>((r) => {
      sawListening = r;
    });
    let buffer = '';
    const done = runRoto(
      ['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', join(work.dir, 'data')],
      {
        env: { LOG_LEVEL: 'info' },
        onSpawn: (c) => {
          child = c;
        },
        onStderr: (chunk) => {
          buffer += chunk;
          const m = /Roto listening on (http:\/\/[^\s"]+)/.exec(buffer);
          if (m && !url) {
            url = m[1]!;
            sawListening();
          }
        },
      },
    );
    await Promise.race([listening, done.then((r) => Promise.reject(new Error(`exited: ${r.stderr}`)))]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    child!.kill('SIGTERM');
    const run = await done;
    expect(run.code).toBe(0);
  });
});
