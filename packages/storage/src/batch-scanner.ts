// Walks the record batches of a .log file through a reusable read window, so a scan costs one read per ~64 KiB
// (or per batch when batches are larger) instead of one per header. Two walks:
//   scanHeaders  reads only the 61-byte headers (index lookups, timestamp search: trusted bytes);
//   scanValid    reads whole batches and checks length, magic and CRC-32C (recovery: untrusted bytes), stopping at
//                the first invalid one, whose position is where the log must be cut.
// A .log file is record batches v2 back to back, exactly as Kafka stores them (see log-segment.ts).
//
// Owner: shard.
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  validateRecordBatch,
} from '@sluice/protocol/records/record-batch.ts';
import { type FileOps, readFully } from './file-ops.ts';

/** What a scan sees of one batch. Reused between calls: copy the fields you keep. */
export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** Idempotent producer fields (-1 when none): producer-state recovery replays them. */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Attributes int16 (bit 4 transactional, bit 5 control): transactional state recovery reads them. */
  attributes: number;
}

const WINDOW = 64 * 1024;
// Header scans cover <= index.interval.bytes (4 KiB) plus one batch after an index lookup: an 8 KiB read holds all
// the headers of small batches at once, and costs less than a 64 KiB one when batches are large (one read each).
const HEADER_CHUNK = 8 * 1024;

export class BatchScanner {
  private readonly ops: FileOps;
  private window = Buffer.allocUnsafe(WINDOW);
  /** File position of window[0] and how many bytes of the window are valid. */
  private windowStart = 0;
  private windowLength = 0;
  private fd = -1;
  readonly info: BatchInfo = {
    position: 0,
    size: 0,
    baseOffset: 0,
    lastOffset: 0,
    maxTimestamp: 0,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    attributes: 0,
  };

  constructor(ops: FileOps) {
    this.ops = ops;
  }

  /**
   * Ensures file bytes [pos, pos+length) are in the window (fewer at end of file), reading at least `chunk` bytes
   * when it must read; returns the window offset.
   */
  private fill(fd: number, pos: number, length: number, end: number, chunk = WINDOW): number {
    if (fd === this.fd && pos >= this.windowStart && pos + length <= this.windowStart + this.windowLength) {
      return pos - this.windowStart;
    }
    if (length > this.window.length) this.window = Buffer.allocUnsafe(length);
    const want = Math.min(Math.max(chunk, length), this.window.length, end - pos);
    this.fd = fd;
    this.windowStart = pos;
    this.windowLength = readFully(this.ops, fd, this.window, 0, want, pos);
    return 0;
  }

  /** Forgets the window (the file changed under it). */
  invalidate(): void {
    this.fd = -1;
    this.windowLength = 0;
  }

  private setInfo(at: number, pos: number): void {
    const w = this.window;
    const info = this.info;
    info.position = pos;
    info.size = LOG_OVERHEAD + w.readInt32BE(at + BATCH_LENGTH_OFFSET);
    info.baseOffset = w.readInt32BE(at) * 0x100000000 + w.readUInt32BE(at + 4);
    info.lastOffset = info.baseOffset + w.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
    info.maxTimestamp =
      w.readInt32BE(at + MAX_TIMESTAMP_OFFSET) * 0x100000000 + w.readUInt32BE(at + MAX_TIMESTAMP_OFFSET + 4);
    info.producerId =
      w.readInt32BE(at + PRODUCER_ID_OFFSET) * 0x100000000 + w.readUInt32BE(at + PRODUCER_ID_OFFSET + 4);
    info.producerEpoch = w.readInt16BE(at + PRODUCER_EPOCH_OFFSET);
    info.baseSequence = w.readInt32BE(at + BASE_SEQUENCE_OFFSET);
    info.attributes = w.readInt16BE(at + ATTRIBUTES_OFFSET);
  }

  /**
   * Visits the headers of the batches in [from, end) of a file whose content is trusted. `visit` returns true to
   * stop; the scan returns the position where it stopped (end when it ran through).
   */
  scanHeaders(fd: number, from: number, end: number, visit: (info: BatchInfo) => boolean): number {
    let pos = from;
    while (pos + RECORD_BATCH_OVERHEAD <= end) {
      const at = this.fill(fd, pos, RECORD_BATCH_OVERHEAD, end, HEADER_CHUNK);
      if (this.windowLength - at < RECORD_BATCH_OVERHEAD) return pos;
      this.setInfo(at, pos);
      if (visit(this.info)) return pos;
      pos += this.info.size;
    }
    return pos;
  }

  /**
   * Visits the valid batches in [from, end), checking each one's length, magic and CRC. Returns the position of the
   * first invalid batch, or `end` when all are valid: the log's valid end. `visit` may return true to stop early.
   */
  scanValid(fd: number, from: number, end: number, visit: (info: BatchInfo) => boolean): number {
    let pos = from;
    while (pos < end) {
      if (end - pos < RECORD_BATCH_OVERHEAD) return pos;
      let at = this.fill(fd, pos, RECORD_BATCH_OVERHEAD, end);
      if (this.windowLength - at < RECORD_BATCH_OVERHEAD) return pos;
      const size = LOG_OVERHEAD + this.window.readInt32BE(at + BATCH_LENGTH_OFFSET);
      if (size < RECORD_BATCH_OVERHEAD || size > end - pos) return pos;
      at = this.fill(fd, pos, size, end);
      if (this.windowLength - at < size) return pos;
      if (validateRecordBatch(this.window, at, at + size) !== null) return pos;
      this.setInfo(at, pos);
      if (this.info.lastOffset < this.info.baseOffset) return pos;
      if (visit(this.info)) return pos;
      pos += size;
    }
    return pos;
  }
}
