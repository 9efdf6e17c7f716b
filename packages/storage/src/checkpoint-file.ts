// Kafka's checkpoint text format (CheckpointFile), used by `leader-epoch-checkpoint` and the per-log-dir
// `log-start-offset-checkpoint`. Byte by byte it is ASCII lines ending in "\n":
//
//   line 1   version       decimal, 0
//   line 2   count         decimal, number of entry lines
//   line 3.. entry         fields separated by one space, e.g. "<epoch> <startOffset>" or "<topic> <partition> <offset>"
//
// Written atomically (temp file, fsync, rename, fsync of the directory), so a crash leaves the old or the new file.
import type { FileOps } from './file-ops.ts';

export function writeCheckpoint(ops: FileOps, path: string, entries: ReadonlyArray<ReadonlyArray<string | number>>) {
  const text = `0\n${entries.length}\n${entries.map((e) => `${e.join(' ')}\n`).join('')}`;
  ops.writeFileAtomic(path, Buffer.from(text, 'ascii'));
}

/** The entries of a checkpoint file, each split into fields; [] when the file is missing; throws when malformed. */
export function readCheckpoint(ops: FileOps, path: string): string[][] {
  if (!ops.exists(path)) return [];
  const lines = ops.readFile(path).toString('ascii').split('\n');
  if (lines[0] !== '0') throw new Error(`${path}: unsupported checkpoint version ${JSON.stringify(lines[0])}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0 || lines.length < count + 2) throw new Error(`${path}: bad entry count`);
  const out: string[][] = [];
  for (let i = 0; i < count; i++) out.push(lines[2 + i].split(' '));
  return out;
}
