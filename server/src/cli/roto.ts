/**
 * The `roto` command line: `serve`, `segment`, `info` and `models`. Run by `server/bin/roto.js`
 * (the package's bin), `npm run roto -- <args>`, or `npx tsx server/src/cli/roto.ts <args>`.
 * Exit codes: 0 ok, 1 the work failed, 2 wrong usage.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type CliIo, EXIT, reportFailure, UsageError } from './commands/args.ts';
import { runModelsCli } from './models.ts';

export { type CliIo, EXIT } from './commands/args.ts';

const COMMANDS = ['serve', 'segment', 'info', 'models'] as const;

export const ROTO_HELP = `Usage: roto <command> [options]

Commands:
  serve                  run the collaborative segmentation server
  segment <video>        segment one object through a video (or an image) and export it,
                         in this process, no server needed
  info <video>           size, frame rate, frames, duration, codec and audio of a file
  models list|fetch      model packs on disk; download and verify a pack

Run "roto <command> --help" for a command's options.

Examples:
  roto info clip.mp4 --json
  roto segment clip.mp4 --frame 0 --points "[[320,180]]" --export clip-overlay.mp4
  roto segment clip.mp4 --points "[[320,180],[40,40]]" --labels "[1,0]" -o masks.json -f coco
  MODEL_PACK=sam2.1-hiera-tiny roto serve --port 8080

Exit status: 0 ok, 1 the work failed, 2 wrong usage.
`;

/**
 * Runs the `roto` command line with `argv` (without the program name) and returns the exit code;
 * never calls `process.exit` (except that `serve` keeps the process running).
 */
export async function runRotoCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    ...(io.signal ? { signal: io.signal } : {}),
  };
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    const topic = rest[0];
    if (command === 'help' && topic && (COMMANDS as readonly string[]).includes(topic))
      return runRotoCli([topic, '--help'], full);
    full.stdout.write(ROTO_HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    full.stdout.write(`roto ${pkg.version}\n`);
    return EXIT.ok;
  }
  try {
    switch (command) {
      case 'serve':
        return await (await import('./commands/serve.ts')).runServe(rest, full);
      case 'segment':
        return await (await import('./commands/segment.ts')).runSegment(rest, full);
      case 'info':
        return await (await import('./commands/info.ts')).runInfo(rest, full);
      case 'models':
        return await runModelsCli(rest, full);
      default:
        throw new UsageError(`unknown command "${command}" (commands: ${COMMANDS.join(', ')})`);
    }
  } catch (err) {
    const known = (COMMANDS as readonly string[]).includes(command);
    return reportFailure(full, known ? command : undefined, err);
  }
}

/** True when this file is the program being run (not imported). */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/**
 * Runs the command line of this process and sets its exit code. Ctrl-C cancels the running work
 * (temporary files are removed); a second Ctrl-C exits at once.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const abort = new AbortController();
  const serving = argv[0] === 'serve';
  if (!serving) {
    process.once('SIGINT', () => {
      process.stderr.write('\ncancelling (Ctrl-C again to exit now)\n');
      abort.abort('interrupted');
      process.once('SIGINT', () => process.exit(130));
    });
  }
  // `npm run roto -- …` runs in the repository root: paths on the command line are the user's, from
  // where npm was called (INIT_CWD).
  const viaNpm = process.env.npm_lifecycle_event === 'roto' && process.env.INIT_CWD;
  const cwd = viaNpm ? process.env.INIT_CWD! : process.cwd();
  process.exitCode = await runRotoCli(argv, { signal: abort.signal, cwd });
}

if (isMain()) await main();
