// The cleaner checkpoint: the offset up to which a log is clean (its first dirty offset), kept across restarts in
// Kafka's `cleaner-offset-checkpoint` text format (OffsetCheckpointFile), byte by byte:
//
//   line 1: version, "0"
//   line 2: number of entries, decimal
//   then one line per entry: "<topic> <partition> <offset>" (single spaces), every line ending in "\n"
//
// Kafka keeps one such file per log directory for all its partitions. Here each partition directory holds its own
// (`<topic>-<partition>/cleaner-offset-checkpoint`, one entry): partitions belong to different shard threads, and
// one shared file would need a lock or a single writer across threads. The file is replaced atomically (temp file,
// fsync, rename, directory fsync), so a crash leaves the old or the new checkpoint, never a torn one. A missing or
// unreadable file means "nothing is clean yet" (the whole log is dirty): safe, only slower.
//
// Owner: shard.
import type { FileOps } from '../file-ops.ts';

export const CLEANER_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

export interface CheckpointEntry {
  topic: string;
  partition: number;
  offset: number;
}

export function formatCheckpoint(entries: CheckpointEntry[]): string {
  let out = `0\n${entries.length}\n`;
  for (const e of entries) out += `${e.topic} ${e.partition} ${e.offset}\n`;
  return out;
}

/** Parses the file's text; null when it is not a well-formed version-0 checkpoint. */
export function parseCheckpoint(text: string): CheckpointEntry[] | null {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2 || lines[0] !== '0') return null;
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0 || lines.length !== count + 2) return null;
  const entries: CheckpointEntry[] = [];
  for (let i = 2; i < lines.length; i++) {
    const parts = lines[i].split(' ');
    if (parts.length !== 3) return null;
    const partition = Number(parts[1]);
    const offset = Number(parts[2]);
    if (!Number.isInteger(partition) || !Number.isSafeInteger(offset) || offset < 0) return null;
    entries.push({ topic: parts[0], partition, offset });
  }
  return entries;
}

/** `<topic>-<partition>` directory name -> topic and partition (the partition is after the last dash). */
export function topicPartitionOfDir(dir: string): { topic: string; partition: number } {
  const name = dir.replace(/\/+$/, '').split('/').pop() ?? '';
  const dash = name.lastIndexOf('-');
  const partition = Number(name.slice(dash + 1));
  if (dash <= 0 || !Number.isInteger(partition)) return { topic: name, partition: 0 };
  return { topic: name.slice(0, dash), partition };
}

/** The checkpointed first dirty offset of the log in `dir`, or -1 when there is none. */
export function readCleanerCheckpoint(ops: FileOps, dir: string): number {
  const path = `${dir}/${CLEANER_CHECKPOINT_FILE}`;
  if (!ops.exists(path)) return -1;
  let entries: CheckpointEntry[] | null;
  try {
    entries = parseCheckpoint(ops.readFile(path).toString('utf8'));
  } catch {
    return -1;
  }
  if (entries === null) return -1;
  const { topic, partition } = topicPartitionOfDir(dir);
  const entry = entries.find((e) => e.topic === topic && e.partition === partition);
  return entry ? entry.offset : -1;
}

export function writeCleanerCheckpoint(ops: FileOps, dir: string, offset: number): void {
  const { topic, partition } = topicPartitionOfDir(dir);
  ops.writeFileAtomic(
    `${dir}/${CLEANER_CHECKPOINT_FILE}`,
    Buffer.from(formatCheckpoint([{ topic, partition, offset }])),
  );
}
