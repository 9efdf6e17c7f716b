// Offset index of one segment: `<20-digit base offset>.index`, Kafka's OffsetIndex format, byte by byte:
//
//   entry i (8 bytes, big-endian), at byte i * 8:
//     0..3  relativeOffset  u32   absolute offset - segment base offset (Kafka writes the LAST offset of the batch)
//     4..7  position        u32   byte position in the .log file where that batch starts
//
// No header, no checksum. Entries are strictly increasing in both fields. The index is sparse: one entry each time
// more than `index.interval.bytes` (default 4096) have been appended since the previous entry, so a lookup is a
// binary search plus a scan of at most ~4 KiB of batch headers. Position 0 is never indexed (the first entry comes
// after >= 1 batch), which is why an all-zero slot marks the end of the entries in a preallocated file.
// Kafka's DumpLogSegments --verify-index-only checks that the batch at `position` has lastOffset == entry offset.
//
// Owner: shard.
import type { FileOps } from './file-ops.ts';
import { SparseIndex } from './sparse-index.ts';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends SparseIndex {
  private constructor(ops: FileOps, path: string, baseOffset: number, maxIndexSize: number) {
    super(ops, path, baseOffset, OFFSET_INDEX_ENTRY_SIZE, maxIndexSize);
  }

  /** A new, empty index file preallocated to maxIndexSize bytes. */
  static create(ops: FileOps, path: string, baseOffset: number, maxIndexSize: number): OffsetIndex {
    const index = new OffsetIndex(ops, path, baseOffset, maxIndexSize);
    index.createFile();
    return index;
  }

  /**
   * Opens an existing index. `writable` (active segment) keeps it preallocated to maxIndexSize. Returns the index
   * and an error string when its content cannot be trusted (then the caller rebuilds it with reset() + append).
   */
  static open(
    ops: FileOps,
    path: string,
    baseOffset: number,
    maxIndexSize: number,
    writable: boolean,
  ): { index: OffsetIndex; corrupt: string | null } {
    const index = new OffsetIndex(ops, path, baseOffset, writable ? maxIndexSize : 0);
    const corrupt = index.loadFile();
    return { index, corrupt };
  }

  protected follows(a: number, b: number): boolean {
    return (
      this.buf.readUInt32BE(b * 8) > this.buf.readUInt32BE(a * 8) &&
      this.buf.readUInt32BE(b * 8 + 4) > this.buf.readUInt32BE(a * 8 + 4)
    );
  }

  /** Absolute offset of entry i. */
  offsetAt(i: number): number {
    return this.baseOffset + this.buf.readUInt32BE(i * 8);
  }

  positionAt(i: number): number {
    return this.buf.readUInt32BE(i * 8 + 4);
  }

  /** The last entry, or (baseOffset, 0) when empty. */
  get lastEntry(): OffsetPosition {
    if (this.count === 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.offsetAt(this.count - 1), position: this.positionAt(this.count - 1) };
  }

  /** Adds an entry; offset and position must be greater than the last entry's. */
  append(offset: number, position: number): void {
    const rel = offset - this.baseOffset;
    if (rel < 0 || rel > 0xffffffff)
      throw new RangeError(`offset ${offset} out of range for segment ${this.baseOffset}`);
    if (this.count > 0 && (offset <= this.offsetAt(this.count - 1) || position <= this.positionAt(this.count - 1))) {
      throw new RangeError(`index entry (${offset}, ${position}) does not follow ${JSON.stringify(this.lastEntry)}`);
    }
    const at = this.reserve();
    this.buf.writeUInt32BE(rel, at);
    this.buf.writeUInt32BE(position, at + 4);
  }

  /** Largest entry with offset <= target; (baseOffset, 0) when there is none. Start the batch scan there. */
  lookup(targetOffset: number): OffsetPosition {
    const i = this.floorEntry(targetOffset, (k) => this.offsetAt(k));
    if (i < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  /** Largest entry with position <= target position; (baseOffset, 0) when none. */
  lookupByPosition(position: number): OffsetPosition {
    const i = this.floorEntry(position, (k) => this.positionAt(k));
    if (i < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  /** Removes every entry with offset >= `offset` (log truncation). */
  truncateTo(offset: number): void {
    const i = this.floorEntry(offset - 1, (k) => this.offsetAt(k));
    this.truncateEntries(i + 1);
  }

  /** Removes every entry whose position is >= `position` (the log was cut at that byte). */
  truncateToPosition(position: number): void {
    const i = this.floorEntry(position - 1, (k) => this.positionAt(k));
    this.truncateEntries(i + 1);
  }
}
