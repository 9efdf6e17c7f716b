// The seam for idempotent/transactional producer state (KIP-98): Kafka keeps it in memory and snapshots it to
// `<partition dir>/<20-digit offset>.snapshot` files, the offset being the log end offset the snapshot covers.
// Recovery loads the newest snapshot at or below the recovered log end and replays the batches after it. This file
// owns only the files (names, listing, atomic writes, cleanup on truncation and retention); the content is
// producer-state-snapshot-format.ts (versioned, CRC-32C), the recovery producer-state-recovery.ts. PartitionLog
// writes one at every roll (at the new segment's base offset) and at clean close (at the logEndOffset), and deletes
// those below its first segment's base offset when segments go (retention), never because DeleteRecords moved the
// logStartOffset inside a segment: the snapshot at that segment's base still holds producers whose batches are gone.
//
// Owner: shard.
import type { FileOps } from './file-ops.ts';
import { segmentFileName } from './log-segment.ts';

export const SNAPSHOT_SUFFIX = '.snapshot';

export class ProducerStateSnapshots {
  private readonly ops: FileOps;
  readonly dir: string;

  constructor(ops: FileOps, dir: string) {
    this.ops = ops;
    this.dir = dir;
  }

  /** Offsets of the snapshot files present, ascending. */
  list(): number[] {
    return this.ops
      .readdir(this.dir)
      .filter((f) => f.endsWith(SNAPSHOT_SUFFIX) && /^\d{20}\.snapshot$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
  }

  /** Writes the snapshot for log end offset `offset` atomically. */
  write(offset: number, content: Uint8Array): void {
    this.ops.writeFileAtomic(this.pathOf(offset), content);
  }

  /** The newest snapshot at or below `offset`, or null. */
  latestAtOrBelow(offset: number): { offset: number; content: Buffer } | null {
    const found = this.list().filter((o) => o <= offset);
    if (found.length === 0) return null;
    const o = found[found.length - 1];
    return { offset: o, content: this.ops.readFile(this.pathOf(o)) };
  }

  /** Log truncated to `offset`: snapshots above it describe offsets that no longer exist. */
  deleteAbove(offset: number): void {
    for (const o of this.list()) if (o > offset) this.ops.unlink(this.pathOf(o));
  }

  /** Segments below `offset` were deleted: their snapshots are no longer needed. */
  deleteBelow(offset: number): void {
    for (const o of this.list()) if (o < offset) this.ops.unlink(this.pathOf(o));
  }

  pathOf(offset: number): string {
    return `${this.dir}/${segmentFileName(offset, SNAPSHOT_SUFFIX)}`;
  }
}
