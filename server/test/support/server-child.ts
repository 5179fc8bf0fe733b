/**
 * A Roto server in a child process, for crash tests: `tsx server-child.ts <dataDir>` listens on a
 * free port over `dataDir` with the test pack and prints `listening <url>` once it accepts sockets.
 * The test kills it with SIGKILL: nothing here gets to flush or close.
 */
import { createOnnxEngine } from '../../src/inference/onnx-engine.ts';
import { startRealtimeServer } from './server-realtime.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: server-child.ts <dataDir>');
const engine = createOnnxEngine({ pack: 'test-tiny' });
const server = await startRealtimeServer(engine, dataDir);
process.stdout.write(`listening ${server.url}\n`);
