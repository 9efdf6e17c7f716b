// Time index of one segment: `<20-digit base offset>.timeindex`, Kafka's TimeIndex format, byte by byte:
//
//   entry i (12 bytes, big-endian), at byte i * 12:
//     0..7   timestamp       i64   the largest batch maxTimestamp seen in the segment so far (ms since epoch)
//     8..11  relativeOffset  u32   last offset of the batch that first reached that timestamp - base offset
//
// No header, no checksum. Timestamps strictly increase, offsets never decrease. Entries are added together with
// offset-index entries (every `index.interval.bytes`), only when the maximum timestamp grew, plus one final entry
// when the segment rolls or closes (Kafka's onBecomeInactiveSegment), so the segment's largest timestamp is always
// findable. Every record before an entry's batch has a timestamp below the entry's, which is what makes
// "first offset with timestamp >= t" a binary search plus a forward scan.
// DumpLogSegments checks that the batch whose lastOffset is the entry's offset has max record timestamp == entry's.
//
// Owner: shard.
import type { FileOps } from './file-ops.ts';
import { SparseIndex } from './sparse-index.ts';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends SparseIndex {
  private constructor(ops: FileOps, path: string, baseOffset: number, maxIndexSize: number) {
    super(ops, path, baseOffset, TIME_INDEX_ENTRY_SIZE, maxIndexSize);
  }

  static create(ops: FileOps, path: string, baseOffset: number, maxIndexSize: number): TimeIndex {
    const index = new TimeIndex(ops, path, baseOffset, maxIndexSize);
    index.createFile();
    return index;
  }

  /** Opens an existing time index; `corrupt` says why it cannot be trusted (rebuild it), null when it looks sane. */
  static open(
    ops: FileOps,
    path: string,
    baseOffset: number,
    maxIndexSize: number,
    writable: boolean,
  ): { index: TimeIndex; corrupt: string | null } {
    const index = new TimeIndex(ops, path, baseOffset, writable ? maxIndexSize : 0);
    const corrupt = index.loadFile();
    return { index, corrupt };
  }

  protected follows(a: number, b: number): boolean {
    return this.timestampAt(b) > this.timestampAt(a) && this.offsetAt(b) >= this.offsetAt(a);
  }

  timestampAt(i: number): number {
    // Two 32-bit halves: cheaper than readBigInt64BE and exact below 2^53.
    return this.buf.readInt32BE(i * 12) * 0x100000000 + this.buf.readUInt32BE(i * 12 + 4);
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.buf.readUInt32BE(i * 12 + 8);
  }

  /** The last entry, or (-1, baseOffset) when empty. */
  get lastEntry(): TimestampOffset {
    if (this.count === 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.timestampAt(this.count - 1), offset: this.offsetAt(this.count - 1) };
  }

  /**
   * Appends (timestamp, offset) if timestamp is larger than the last entry's; otherwise does nothing.
   * `force` skips the full check (the final entry on roll still fits: Kafka's skipFullCheck).
   */
  maybeAppend(timestamp: number, offset: number, force = false): void {
    if (this.count > 0 && timestamp <= this.timestampAt(this.count - 1)) return;
    if (this.isFull && !force) return;
    const rel = offset - this.baseOffset;
    if (rel < 0 || rel > 0xffffffff)
      throw new RangeError(`offset ${offset} out of range for segment ${this.baseOffset}`);
    if (this.count > 0 && offset < this.offsetAt(this.count - 1)) {
      throw new RangeError(`time index offset ${offset} goes backwards`);
    }
    const at = this.reserve();
    this.buf.writeInt32BE(Math.floor(timestamp / 0x100000000), at);
    this.buf.writeUInt32BE(timestamp >>> 0, at + 4);
    this.buf.writeUInt32BE(rel, at + 8);
  }

  /** Largest entry with timestamp <= target; (-1, baseOffset) when none: start the scan at the segment's start. */
  lookup(targetTimestamp: number): TimestampOffset {
    const i = this.floorEntry(targetTimestamp, (k) => this.timestampAt(k));
    if (i < 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.timestampAt(i), offset: this.offsetAt(i) };
  }

  /** Removes every entry with offset >= `offset`. */
  truncateTo(offset: number): void {
    const i = this.floorEntry(offset - 1, (k) => this.offsetAt(k));
    this.truncateEntries(i + 1);
  }
}
