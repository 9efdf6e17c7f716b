// Leader epochs of one partition: which epoch's leader wrote the log from which offset, as Kafka's
// LeaderEpochFileCache, kept in `<partition dir>/leader-epoch-checkpoint` (checkpoint-file.ts format, entries
// "<epoch> <startOffset>", epochs and start offsets strictly increasing). Followers truncate diverging suffixes by it
// (KIP-101; OffsetForLeaderEpoch). Written on every change, which is rare (a new leader epoch).
//
// Owner: shard.
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.ts';
import type { FileOps } from './file-ops.ts';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

export class LeaderEpochCache {
  private entries: EpochEntry[];
  private readonly ops: FileOps;
  readonly path: string;

  constructor(ops: FileOps, dir: string) {
    this.ops = ops;
    this.path = `${dir}/${LEADER_EPOCH_CHECKPOINT}`;
    let loaded: EpochEntry[] = [];
    try {
      loaded = readCheckpoint(ops, this.path).map(([e, o]) => ({ epoch: Number(e), startOffset: Number(o) }));
    } catch {
      loaded = []; // an unreadable checkpoint is rebuilt from the batches' epochs as they are appended
    }
    this.entries = loaded.filter(
      (e, i, a) => i === 0 || (e.epoch > a[i - 1].epoch && e.startOffset > a[i - 1].startOffset),
    );
  }

  get epochs(): readonly EpochEntry[] {
    return this.entries;
  }

  get latestEpoch(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1].epoch;
  }

  /** Records that `epoch` starts at `startOffset` if it is newer than the latest epoch. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || epoch <= this.latestEpoch) return;
    this.entries = this.entries.filter((e) => e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /** The log was truncated to end before endOffset: epochs starting at or after it go. */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length !== this.entries.length) {
      this.entries = kept;
      this.persist();
    }
  }

  /** logStartOffset moved to startOffset: earlier epochs go, the one covering it now starts there. */
  truncateFromStart(startOffset: number): void {
    let i = 0;
    while (i + 1 < this.entries.length && this.entries[i + 1].startOffset <= startOffset) i++;
    if (i === 0 && (this.entries.length === 0 || this.entries[0].startOffset >= startOffset)) return;
    this.entries = this.entries.slice(i);
    this.entries[0] = { epoch: this.entries[0].epoch, startOffset };
    this.persist();
  }

  private persist(): void {
    writeCheckpoint(
      this.ops,
      this.path,
      this.entries.map((e) => [e.epoch, e.startOffset]),
    );
  }
}
