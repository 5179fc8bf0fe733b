/**
 * Child process of the crash test: appends to an op log as fast as it can and prints
 * `<seq> <i>` on stdout for each acknowledged record, until it is killed. Stdout to a pipe is
 * synchronous on Linux, so a printed line means the ack happened before the kill.
 */
import { OpLog } from '../src/storage/oplog.ts';
import { crashRecord } from './storage-helpers.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: storage-crash-writer.ts <log path>');
const log = await OpLog.open(path, { create: true });
let next = log.lastSeq;
const IN_FLIGHT = 64;

function appendOne(): void {
  const i = next++;
  log.append(crashRecord(i)).then(
    ({ seq }) => {
      process.stdout.write(`${seq} ${i}\n`);
      appendOne();
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

process.stdout.write('ready\n');
for (let k = 0; k < IN_FLIGHT; k++) appendOne();
