// What the offset index and the time index share: a file of fixed-size big-endian entries, sorted, kept whole in
// memory, written through to the file on flush. The layouts are in offset-index.ts and time-index.ts.
//
// File life cycle (Kafka's AbstractIndex): the index of the active segment is preallocated to `segment.index.bytes`
// (default 10 MiB, rounded down to a whole entry) with ftruncate, so the tail is sparse zeros; when the segment rolls
// or the log closes cleanly the file is trimmed to exactly `entries * entrySize` bytes. After a crash an active
// index may therefore end in zero slots; loading stops at the first slot that does not continue the sequence, and
// the caller validates the rest against the log (entries past the log end make it corrupt -> rebuilt).
//
// Owner: shard. The in-memory copy is the truth while open; the file is written on flush(), roll and close.
import { type FileOps, readFully, writeFully } from './file-ops.ts';

export abstract class SparseIndex {
  readonly path: string;
  readonly baseOffset: number;
  protected readonly ops: FileOps;
  protected readonly entrySize: number;
  /** Entries in memory: [0, entries * entrySize). Grows by doubling up to maxEntries. */
  protected buf: Buffer;
  protected count = 0;
  /** Entries already written to the file. */
  private persisted = 0;
  private fd = -1;
  /** Entry capacity of the file while it is the active segment's index; 0 when trimmed (read-only). */
  private maxEntries: number;

  protected constructor(ops: FileOps, path: string, baseOffset: number, entrySize: number, maxIndexSize: number) {
    this.ops = ops;
    this.path = path;
    this.baseOffset = baseOffset;
    this.entrySize = entrySize;
    this.maxEntries = Math.floor(maxIndexSize / entrySize);
    this.buf = Buffer.alloc(entrySize * 64);
  }

  get entries(): number {
    return this.count;
  }

  /** True when no more entries fit in `segment.index.bytes`: the segment must roll. */
  get isFull(): boolean {
    return this.maxEntries > 0 && this.count >= this.maxEntries;
  }

  /** Creates the file (truncating any old one) and preallocates it for appends. */
  protected createFile(): void {
    this.fd = this.ops.open(this.path, 'w+');
    this.ops.ftruncate(this.fd, this.maxEntries * this.entrySize);
  }

  /**
   * Reads the file. Returns an error string when the file cannot be trusted (size not a whole number of entries,
   * entries out of order): the caller rebuilds the index from the log.
   */
  protected loadFile(): string | null {
    // r+ even for read-only segments: recovery may cut entries off.
    this.fd = this.ops.open(this.path, 'r+');
    const size = this.ops.size(this.fd);
    if (size % this.entrySize !== 0) return `size ${size} is not a multiple of ${this.entrySize}`;
    const data = Buffer.allocUnsafe(size);
    readFully(this.ops, this.fd, data, 0, size, 0);
    const slots = size / this.entrySize;
    this.buf = Buffer.alloc(Math.max(this.entrySize * 64, size));
    data.copy(this.buf, 0, 0, size);
    let n = 0;
    while (n < slots && !this.isEmptySlot(n)) {
      if (n > 0 && !this.follows(n - 1, n)) return `entry ${n} does not follow entry ${n - 1}`;
      n++;
    }
    // Zero slots must only be the preallocated tail: anything written after one is garbage.
    for (let i = n; i < slots; i++) if (!this.isEmptySlot(i)) return `entry ${i} follows an empty slot`;
    this.count = n;
    this.persisted = n;
    return null;
  }

  /** True when slot i is all zeros (never written). */
  protected isEmptySlot(i: number): boolean {
    const start = i * this.entrySize;
    for (let b = start; b < start + this.entrySize; b++) if (this.buf[b] !== 0) return false;
    return true;
  }

  /** Whether entry b may come after entry a (strictly increasing keys). */
  protected abstract follows(a: number, b: number): boolean;

  /** Reserves room for one more entry in memory and returns its byte offset. */
  protected reserve(): number {
    const at = this.count * this.entrySize;
    if (at + this.entrySize > this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.count++;
    return at;
  }

  /** Drops entries from index `n` on (in memory and, on the next flush, in the file). */
  protected truncateEntries(n: number): void {
    if (n >= this.count) return;
    this.buf.fill(0, n * this.entrySize, this.count * this.entrySize);
    this.count = n;
    if (this.persisted > n) {
      // Zero the dropped slots in the file too: a stale entry past the end would look valid after a crash.
      if (this.fd >= 0) {
        this.ops.ftruncate(this.fd, n * this.entrySize);
        if (this.maxEntries > 0) this.ops.ftruncate(this.fd, this.maxEntries * this.entrySize);
      }
      this.persisted = n;
    }
  }

  /** Bytes of entries not written to the file yet. */
  get pendingBytes(): number {
    return (this.count - this.persisted) * this.entrySize;
  }

  /**
   * Writes entries not yet in the file. No fsync: an index is validated or rebuilt after an unclean shutdown, where
   * recovery re-reads the log from the last entry on disk.
   */
  flush(): void {
    if (this.fd < 0 || this.persisted === this.count) return;
    const from = this.persisted * this.entrySize;
    writeFully(this.ops, this.fd, this.buf, from, this.count * this.entrySize - from, from);
    this.persisted = this.count;
  }

  /** Preallocates the file again so the segment can take appends (reopening an active segment). */
  resize(maxIndexSize: number): void {
    this.maxEntries = Math.floor(maxIndexSize / this.entrySize);
    if (this.fd >= 0) this.ops.ftruncate(this.fd, Math.max(this.maxEntries, this.count) * this.entrySize);
  }

  /** Writes everything, trims the file to its entries and fsyncs it: the segment is now read-only. */
  trimToValidSize(): void {
    this.flush();
    this.maxEntries = 0;
    if (this.fd < 0) return;
    this.ops.ftruncate(this.fd, this.count * this.entrySize);
    this.ops.fsync(this.fd);
  }

  /** Replaces the file with one holding exactly the in-memory entries (after a rebuild). */
  rewrite(preallocate: boolean): void {
    if (this.fd >= 0) this.ops.close(this.fd);
    const keep = this.count;
    const max = this.maxEntries;
    this.maxEntries = preallocate ? Math.max(max, keep) : 0;
    this.fd = this.ops.open(this.path, 'w+');
    if (this.maxEntries > 0) this.ops.ftruncate(this.fd, this.maxEntries * this.entrySize);
    this.persisted = 0;
    this.flush();
    if (!preallocate) this.ops.fsync(this.fd);
  }

  /** Forgets every entry (the index is about to be rebuilt from the log). */
  reset(): void {
    this.buf.fill(0, 0, this.count * this.entrySize);
    this.count = 0;
    this.persisted = 0;
  }

  close(): void {
    if (this.fd >= 0) this.ops.close(this.fd);
    this.fd = -1;
  }

  /** Renames the file (segment deletion renames to `.deleted` first). The fd stays valid. */
  renameTo(path: string): void {
    this.ops.rename(this.path, path);
    (this as { path: string }).path = path;
  }

  /** Binary search: the largest entry index whose key is <= target, or -1. */
  protected floorEntry(target: number, keyAt: (i: number) => number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
