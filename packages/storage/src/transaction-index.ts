// The aborted transactions of a partition log, one `<20-digit base offset>.txnindex` file per segment, in Kafka's
// format (storage/.../TransactionIndex.java, AbortedTxn.java): entries back to back, no header, each 34 bytes,
// big-endian:
//   0   version           int16  = 0
//   2   producerId        int64
//   10  firstOffset       int64  first offset of the aborted transaction (may be in an older segment)
//   18  lastOffset        int64  offset of its ABORT marker (in this file's segment)
//   26  lastStableOffset  int64  the partition's last stable offset right after the marker
// An entry is appended to the segment that holds the ABORT marker when the marker is appended. The file exists only
// once a segment has an entry (Kafka creates it lazily too). Reads use the in-memory copy; the file is for recovery
// and for Kafka's tools. Files are fdatasync'd with the producer-state snapshot they must agree with (roll, close);
// recovery drops entries at or above the snapshot offset and re-adds them while replaying the markers, so a torn or
// stale tail never matters. A file whose length is not a multiple of 34 keeps its whole entries.
//
// Owner: shard (with the PartitionLog it belongs to).
import type { FileOps } from './file-ops.ts';
import { segmentFileName } from './log-segment.ts';

export const TXN_INDEX_SUFFIX = '.txnindex';
export const ABORTED_TXN_SIZE = 34;
const VERSION = 0;

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

/** What Fetch's abortedTransactions carries. */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export function encodeAbortedTxns(entries: readonly AbortedTxn[]): Buffer {
  const out = Buffer.alloc(entries.length * ABORTED_TXN_SIZE);
  let pos = 0;
  for (const e of entries) {
    out.writeInt16BE(VERSION, pos);
    out.writeBigInt64BE(BigInt(e.producerId), pos + 2);
    out.writeBigInt64BE(BigInt(e.firstOffset), pos + 10);
    out.writeBigInt64BE(BigInt(e.lastOffset), pos + 18);
    out.writeBigInt64BE(BigInt(e.lastStableOffset), pos + 26);
    pos += ABORTED_TXN_SIZE;
  }
  return out;
}

/** The whole entries of a file's content; entries of an unknown version end the list (Kafka refuses them). */
export function decodeAbortedTxns(buf: Uint8Array): AbortedTxn[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: AbortedTxn[] = [];
  for (let pos = 0; pos + ABORTED_TXN_SIZE <= b.length; pos += ABORTED_TXN_SIZE) {
    if (b.readInt16BE(pos) !== VERSION) break;
    out.push({
      producerId: Number(b.readBigInt64BE(pos + 2)),
      firstOffset: Number(b.readBigInt64BE(pos + 10)),
      lastOffset: Number(b.readBigInt64BE(pos + 18)),
      lastStableOffset: Number(b.readBigInt64BE(pos + 26)),
    });
  }
  return out;
}

interface SegmentTxns {
  entries: AbortedTxn[];
  /** Entries not yet in the file (appended at the next sync). */
  unwritten: number;
}

/** The .txnindex files of one log directory, by segment base offset. */
export class TransactionIndexes {
  private readonly ops: FileOps;
  private readonly dir: string;
  private readonly bySegment = new Map<number, SegmentTxns>();

  constructor(ops: FileOps, dir: string) {
    this.ops = ops;
    this.dir = dir;
  }

  /** Loads the files of the given segments; files of other base offsets (deleted segments) are removed. */
  load(segmentBases: readonly number[]): void {
    const bases = new Set(segmentBases);
    for (const name of this.ops.readdir(this.dir)) {
      if (!/^\d{20}\.txnindex$/.test(name)) continue;
      const base = Number(name.slice(0, 20));
      if (!bases.has(base)) {
        this.ops.unlink(`${this.dir}/${name}`);
        continue;
      }
      const entries = decodeAbortedTxns(this.ops.readFile(`${this.dir}/${name}`));
      this.bySegment.set(base, { entries, unwritten: 0 });
    }
  }

  /** Records an aborted transaction whose marker is in the segment at `segmentBase`. */
  append(segmentBase: number, txn: AbortedTxn): void {
    let s = this.bySegment.get(segmentBase);
    if (s === undefined) {
      s = { entries: [], unwritten: 0 };
      this.bySegment.set(segmentBase, s);
    }
    s.entries.push(txn);
    s.unwritten++;
  }

  /** Writes what is not yet in the files and fdatasyncs them. Throws on I/O errors. */
  sync(): void {
    for (const [base, s] of this.bySegment) {
      if (s.unwritten === 0) continue;
      const fresh = encodeAbortedTxns(s.entries.slice(s.entries.length - s.unwritten));
      const at = (s.entries.length - s.unwritten) * ABORTED_TXN_SIZE;
      const path = this.pathOf(base);
      const created = !this.ops.exists(path);
      const fd = this.ops.open(path, created ? 'w+' : 'r+');
      try {
        for (let done = 0; done < fresh.length; ) {
          done += this.ops.write(fd, fresh, done, fresh.length - done, at + done);
        }
        // A torn tail of an earlier crash beyond the whole entries goes.
        this.ops.ftruncate(fd, at + fresh.length);
        this.ops.fdatasync(fd);
      } finally {
        this.ops.close(fd);
      }
      if (created) this.ops.syncDir(this.dir);
      s.unwritten = 0;
    }
  }

  /** Recovery: forgets entries whose marker is at or above `offset` and rewrites the files that change. */
  truncateFrom(offset: number): void {
    for (const [base, s] of this.bySegment) {
      const kept = s.entries.filter((e) => e.lastOffset < offset);
      if (kept.length === s.entries.length) continue;
      s.entries = kept;
      s.unwritten = 0;
      if (kept.length === 0) {
        this.ops.unlink(this.pathOf(base));
        this.bySegment.delete(base);
      } else this.ops.writeFileAtomic(this.pathOf(base), encodeAbortedTxns(kept));
    }
  }

  /** Segments other than `segmentBases` are gone (retention): their entries and files go too. */
  retain(segmentBases: readonly number[]): void {
    const bases = new Set(segmentBases);
    for (const base of [...this.bySegment.keys()]) {
      if (bases.has(base)) continue;
      this.bySegment.delete(base);
      try {
        this.ops.unlink(this.pathOf(base));
      } catch {
        // never written (entries still unwritten) or already gone
      }
    }
  }

  /** The cleaner replaced segments `oldBases` by one at `newBase`: their entries move to it (Kafka's cleaner too). */
  merge(oldBases: readonly number[], newBase: number): void {
    const moved: AbortedTxn[] = [];
    for (const base of [...oldBases].sort((a, b) => a - b)) {
      const s = this.bySegment.get(base);
      if (s === undefined) continue;
      moved.push(...s.entries);
    }
    this.retain([...this.bySegment.keys()].filter((b) => !oldBases.includes(b)));
    if (moved.length === 0) return;
    this.ops.writeFileAtomic(this.pathOf(newBase), encodeAbortedTxns(moved));
    this.bySegment.set(newBase, { entries: moved, unwritten: 0 });
  }

  /**
   * Kafka's collectAbortedTxns: the aborted transactions that overlap [fetchOffset, upperBoundOffset): marker at or
   * after fetchOffset and first offset below the bound, ordered by first offset. Segments whose markers all lie
   * below fetchOffset are skipped by their base offsets (a marker is never below its segment's base).
   */
  collect(fetchOffset: number, upperBoundOffset: number, segmentBases: readonly number[]): AbortedTransaction[] {
    const out: AbortedTransaction[] = [];
    for (let i = 0; i < segmentBases.length; i++) {
      const next = i + 1 < segmentBases.length ? segmentBases[i + 1] : Number.POSITIVE_INFINITY;
      if (next <= fetchOffset) continue;
      const s = this.bySegment.get(segmentBases[i]);
      if (s === undefined) continue;
      for (const e of s.entries) {
        if (e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset) {
          out.push({ producerId: e.producerId, firstOffset: e.firstOffset });
        }
      }
    }
    return out.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Every entry, oldest segment first (tests, tools). */
  all(): AbortedTxn[] {
    return [...this.bySegment.keys()].sort((a, b) => a - b).flatMap((b) => this.bySegment.get(b)?.entries ?? []);
  }

  pathOf(base: number): string {
    return `${this.dir}/${segmentFileName(base, TXN_INDEX_SUFFIX)}`;
  }
}
