// Writes one cleaned segment: `<base>.log.cleaned` with its `.index.cleaned` and `.timeindex.cleaned`, in the
// formats of offset-index.ts and time-index.ts, indexed the way LogSegment.append indexes (Kafka's rule):
//   before writing a batch, if more than index.interval.bytes were written since the last entry, add
//   offset entry (batch lastOffset, batch position) and time entry (max timestamp so far, its batch's lastOffset);
//   at the end one final time entry (Kafka's onBecomeInactiveSegment), so the largest timestamp is findable.
// finish() trims both indexes to their entries and fsyncs all three files: only then may the swap rename them.
//
// Owner: shard.
import { lastOffsetOf, MAX_TIMESTAMP_OFFSET } from '@sluice/protocol/records/record-batch.ts';
import { type FileOps, writeFully } from '../file-ops.ts';
import { OffsetIndex } from '../offset-index.ts';
import { TimeIndex } from '../time-index.ts';
import { CLEANED_SUFFIX, segmentFileName } from './segment-files.ts';

/** Batches are gathered up to 256 KiB before one write: a few syscalls per MiB instead of one per batch. */
const WRITE_BUFFER_BYTES = 256 * 1024;

export interface IndexingConfig {
  indexIntervalBytes: number;
  maxIndexBytes: number;
}

/** The index half of the writer: feed it each batch's position, lastOffset and maxTimestamp in order. */
class SegmentIndexer {
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  private readonly intervalBytes: number;
  private bytesSinceEntry = 0;
  maxTimestamp = -1;
  private offsetOfMaxTimestamp: number;

  constructor(ops: FileOps, indexPath: string, timeIndexPath: string, baseOffset: number, config: IndexingConfig) {
    this.offsetIndex = OffsetIndex.create(ops, indexPath, baseOffset, config.maxIndexBytes);
    this.timeIndex = TimeIndex.create(ops, timeIndexPath, baseOffset, config.maxIndexBytes);
    this.intervalBytes = config.indexIntervalBytes;
    this.offsetOfMaxTimestamp = baseOffset;
  }

  add(position: number, size: number, lastOffset: number, maxTimestamp: number): void {
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceEntry > this.intervalBytes) {
      this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceEntry = 0;
    }
    this.bytesSinceEntry += size;
  }

  finish(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true);
    this.offsetIndex.trimToValidSize();
    this.timeIndex.trimToValidSize();
    this.offsetIndex.close();
    this.timeIndex.close();
  }

  abandon(): void {
    this.offsetIndex.close();
    this.timeIndex.close();
  }
}

export class CleanedSegmentWriter {
  readonly baseOffset: number;
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;
  readonly txnIndexPath: string;
  private readonly ops: FileOps;
  private fd: number;
  private readonly indexer: SegmentIndexer;
  private pending: Buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private pendingBytes = 0;
  /** Bytes of the log file so far (written + pending). */
  sizeInBytes = 0;
  /** Offset after the last batch written; baseOffset while empty. */
  nextOffset: number;

  constructor(ops: FileOps, dir: string, baseOffset: number, config: IndexingConfig) {
    this.ops = ops;
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
    this.logPath = `${dir}/${segmentFileName(baseOffset, '.log', CLEANED_SUFFIX)}`;
    this.indexPath = `${dir}/${segmentFileName(baseOffset, '.index', CLEANED_SUFFIX)}`;
    this.timeIndexPath = `${dir}/${segmentFileName(baseOffset, '.timeindex', CLEANED_SUFFIX)}`;
    this.txnIndexPath = `${dir}/${segmentFileName(baseOffset, '.txnindex', CLEANED_SUFFIX)}`;
    this.fd = ops.open(this.logPath, 'w+');
    this.indexer = new SegmentIndexer(ops, this.indexPath, this.timeIndexPath, baseOffset, config);
  }

  get largestTimestamp(): number {
    return this.indexer.maxTimestamp;
  }

  /** Appends one whole batch (buf[pos, pos + size)). */
  append(buf: Uint8Array, pos: number, size: number): void {
    const lastOffset = lastOffsetOf(buf, pos);
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const maxTimestamp = b.readInt32BE(pos + MAX_TIMESTAMP_OFFSET) * 0x100000000 + b.readUInt32BE(pos + 39);
    this.indexer.add(this.sizeInBytes, size, lastOffset, maxTimestamp);
    if (this.pendingBytes + size > this.pending.length) this.flushPending();
    if (size > this.pending.length) {
      writeFully(this.ops, this.fd, buf, pos, size, this.sizeInBytes);
    } else {
      this.pending.set(b.subarray(pos, pos + size), this.pendingBytes);
      this.pendingBytes += size;
    }
    this.sizeInBytes += size;
    this.nextOffset = lastOffset + 1;
  }

  /**
   * The aborted-transaction entries of the old segments (their .txnindex files concatenated, entries are absolute
   * offsets): transactional batches and markers are kept as they are, so read_committed readers still need them.
   */
  setTxnIndex(data: Uint8Array): void {
    if (data.length === 0) return;
    const fd = this.ops.open(this.txnIndexPath, 'w+');
    try {
      writeFully(this.ops, fd, data, 0, data.length, 0);
      this.ops.fsync(fd);
    } finally {
      this.ops.close(fd);
    }
  }

  /** Writes everything, trims the indexes, fsyncs the three files and closes them. */
  finish(): void {
    this.flushPending();
    this.ops.fsync(this.fd);
    this.ops.close(this.fd);
    this.fd = -1;
    this.indexer.finish();
  }

  /** Closes and deletes the three `.cleaned` files (the pass was abandoned). */
  abandon(): void {
    if (this.fd >= 0) this.ops.close(this.fd);
    this.fd = -1;
    this.indexer.abandon();
    for (const p of [this.logPath, this.indexPath, this.timeIndexPath, this.txnIndexPath])
      if (this.ops.exists(p)) this.ops.unlink(p);
  }

  private flushPending(): void {
    if (this.pendingBytes === 0) return;
    writeFully(this.ops, this.fd, this.pending, 0, this.pendingBytes, this.sizeInBytes - this.pendingBytes);
    this.pendingBytes = 0;
  }
}
