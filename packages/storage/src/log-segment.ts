// One segment of a partition log: `<20-digit base offset>.log` plus its `.index` (offset-index.ts) and `.timeindex`
// (time-index.ts), Kafka's layout. The .log file, byte by byte, is record batches v2 back to back, nothing else:
//
//   0..7    baseOffset            i64   absolute offset of the batch's first record (patched in place on append)
//   8..11   batchLength           i32   bytes after this field (total batch size = 12 + batchLength)
//   12..15  partitionLeaderEpoch  i32   patched in place on append
//   16      magic                 i8    2
//   17..20  crc                   u32   CRC-32C of bytes 21..end
//   21..    attributes, lastOffsetDelta, baseTimestamp, maxTimestamp, producerId/epoch, baseSequence, recordsCount,
//           records (see packages/protocol/src/records/record-batch.ts)
//
// A segment's offsets are [baseOffset, nextOffset). Appends go to the end of the active (last) segment only; the
// bytes are written as received (no re-encoding), then indexed: when more than `index.interval.bytes` were appended
// since the last index entry, the batch about to be counted gets an offset-index entry (its lastOffset, its start
// position) and the time index gets (max timestamp so far, lastOffset of the batch that reached it), exactly as
// Kafka's LogSegment.append, so Kafka's DumpLogSegments --verify-index-only accepts our indexes.
//
// Opening a segment validates what it may trust: index files of the wrong size, out of order, or pointing past the
// log are rebuilt from the log; the batches after the last offset-index entry are re-read with their CRCs and the
// log is cut at the first bad one (a torn tail). See log-recovery notes in partition-log.ts.
//
// Owner: shard. Readers on the main thread receive (path, fd, position, size) and read the bytes themselves.
import { readRecords } from '@sluice/protocol/records/record-batch.ts';
import { type BatchInfo, BatchScanner } from './batch-scanner.ts';
import { type FileOps, readFully, writeFully } from './file-ops.ts';
import { OffsetIndex } from './offset-index.ts';
import { TimeIndex, type TimestampOffset } from './time-index.ts';

export interface SegmentConfig {
  /** `index.interval.bytes`, default 4096. */
  indexIntervalBytes: number;
  /** `segment.index.bytes`, default 10 MiB: preallocated size of each index of the active segment. */
  maxIndexSize: number;
  /** Pending offset-index bytes that make a flush write the index entries (see flush()); default 4096. */
  indexFlushBytes?: number;
}

/** Where a batch is: enough to start a read there. */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** `00000000000000000042` */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

export class LogSegment {
  readonly baseOffset: number;
  readonly dir: string;
  logPath: string;
  readonly fd: number;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Bytes of valid batches in the .log file; the next append writes here. */
  size = 0;
  /** Bytes known to be on stable storage (fdatasync'd). */
  flushedSize = 0;
  /** Offset after the last batch; baseOffset when empty. */
  nextOffset: number;
  maxTimestampSoFar = -1;
  /** lastOffset of the batch that first reached maxTimestampSoFar. */
  offsetOfMaxTimestampSoFar: number;
  /** When this segment object was created or opened (segment.ms counts from here when there are no timestamps). */
  readonly createdMs: number;
  /** maxTimestamp of the first batch, -1 when empty: segment.ms counts from here (Kafka's rollingBasedTimestamp). */
  rollingBasedTimestamp = -1;
  /** Bytes cut off the end of the .log on open (a torn or corrupt tail); 0 normally. */
  truncatedOnOpen = 0;
  /** Why an index was rebuilt on open, or null. */
  rebuiltIndexes: string | null = null;
  private bytesSinceLastIndexEntry = 0;
  private readonly ops: FileOps;
  private readonly config: SegmentConfig;
  private readonly scanner: BatchScanner;

  private constructor(
    ops: FileOps,
    dir: string,
    baseOffset: number,
    config: SegmentConfig,
    fd: number,
    offsetIndex: OffsetIndex,
    timeIndex: TimeIndex,
    nowMs: number,
  ) {
    this.ops = ops;
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.config = config;
    this.logPath = `${dir}/${segmentFileName(baseOffset, '.log')}`;
    this.fd = fd;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestampSoFar = baseOffset;
    this.createdMs = nowMs;
    this.scanner = new BatchScanner(ops);
  }

  /** A new empty active segment: creates the three files (indexes preallocated). */
  static create(ops: FileOps, dir: string, baseOffset: number, config: SegmentConfig, nowMs: number): LogSegment {
    const fd = ops.open(`${dir}/${segmentFileName(baseOffset, '.log')}`, 'w+');
    const oi = OffsetIndex.create(
      ops,
      `${dir}/${segmentFileName(baseOffset, '.index')}`,
      baseOffset,
      config.maxIndexSize,
    );
    const ti = TimeIndex.create(
      ops,
      `${dir}/${segmentFileName(baseOffset, '.timeindex')}`,
      baseOffset,
      config.maxIndexSize,
    );
    return new LogSegment(ops, dir, baseOffset, config, fd, oi, ti, nowMs);
  }

  /**
   * Opens an existing segment, validating its indexes and the batches after the last offset-index entry (the whole
   * segment when an index is rebuilt), and cutting the .log at the first invalid batch. `active` keeps the indexes
   * preallocated for appends; otherwise they are trimmed.
   */
  static open(ops: FileOps, dir: string, baseOffset: number, config: SegmentConfig, active: boolean, nowMs: number) {
    const fd = ops.open(`${dir}/${segmentFileName(baseOffset, '.log')}`, 'r+');
    const fileSize = ops.size(fd);
    const loadIndex = <T>(
      suffix: string,
      opener: (p: string) => { index: T; corrupt: string | null },
      creator: (p: string) => T,
    ): { index: T; corrupt: string | null } => {
      const p = `${dir}/${segmentFileName(baseOffset, suffix)}`;
      if (!ops.exists(p)) return { index: creator(p), corrupt: `${suffix} missing` };
      return opener(p);
    };
    const max = config.maxIndexSize;
    const oi = loadIndex(
      '.index',
      (p) => OffsetIndex.open(ops, p, baseOffset, max, active),
      (p) => OffsetIndex.create(ops, p, baseOffset, max),
    );
    const ti = loadIndex(
      '.timeindex',
      (p) => TimeIndex.open(ops, p, baseOffset, max, active),
      (p) => TimeIndex.create(ops, p, baseOffset, max),
    );
    const segment = new LogSegment(ops, dir, baseOffset, config, fd, oi.index, ti.index, nowMs);
    segment.recover(fileSize, oi.corrupt ?? ti.corrupt, active);
    return segment;
  }

  /** Validates the tail (or everything), rebuilds what cannot be trusted, cuts a torn tail. */
  private recover(fileSize: number, corrupt: string | null, active: boolean): void {
    const oi = this.offsetIndex;
    const ti = this.timeIndex;
    let why = corrupt;
    let from = 0;
    if (why === null && oi.entries > 0) {
      const last = oi.lastEntry;
      let ok = false;
      if (last.position < fileSize) {
        this.scanner.scanValid(this.fd, last.position, fileSize, (b) => {
          ok = b.lastOffset === last.offset;
          return true;
        });
      }
      if (ok) from = last.position;
      else why = `offset index entry (${last.offset}, ${last.position}) does not point at a valid batch`;
    }
    if (why === null && ti.entries > 0 && ti.offsetAt(0) < this.baseOffset) why = 'time index offset below base';
    const tiBefore = ti.entries;
    const tiLast = ti.lastEntry.timestamp;
    const oiBefore = oi.entries;
    if (why !== null) {
      oi.reset();
      ti.reset();
      from = 0;
    } else {
      // Time entries at or before the last offset entry were written with it; later ones are re-derived.
      ti.truncateTo(from === 0 ? this.baseOffset : oi.lastEntry.offset + 1);
      const t = ti.lastEntry;
      this.maxTimestampSoFar = t.timestamp;
      this.offsetOfMaxTimestampSoFar = t.offset;
    }
    this.rebuiltIndexes = why;
    const first = from > 0 ? oi.lastEntry.offset : -1;
    const end = this.scanner.scanValid(this.fd, from, fileSize, (b) => {
      if (b.lastOffset === first && b.position === from) {
        // The indexed batch we start from: already in the offset index, counted like Kafka does after an entry.
        this.observe(b);
        this.bytesSinceLastIndexEntry = b.size;
      } else {
        this.indexBatch(b);
      }
      return false;
    });
    this.size = end;
    this.flushedSize = end;
    if (end > 0 && this.rollingBasedTimestamp < 0) {
      this.scanner.scanHeaders(this.fd, 0, end, (b) => {
        this.rollingBasedTimestamp = b.maxTimestamp;
        return true;
      });
    }
    if (end < fileSize) {
      this.truncatedOnOpen = fileSize - end;
      this.ops.ftruncate(this.fd, end);
      this.scanner.invalidate();
    }
    const changed =
      why !== null || oi.entries !== oiBefore || ti.entries !== tiBefore || ti.lastEntry.timestamp !== tiLast;
    if (active) {
      if (why !== null) {
        oi.rewrite(true);
        ti.rewrite(true);
      }
      oi.resize(this.config.maxIndexSize);
      ti.resize(this.config.maxIndexSize);
      ti.flush();
      oi.flush();
    } else {
      ti.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
      if (changed || ti.entries !== tiBefore) {
        oi.rewrite(false);
        ti.rewrite(false);
      }
    }
  }

  /** Tracks offsets and timestamps of a batch that is in the log. */
  private observe(b: BatchInfo): void {
    if (this.rollingBasedTimestamp < 0 && b.position === 0) this.rollingBasedTimestamp = b.maxTimestamp;
    if (b.maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = b.maxTimestamp;
      this.offsetOfMaxTimestampSoFar = b.lastOffset;
    }
    this.nextOffset = b.lastOffset + 1;
  }

  /** Kafka's LogSegment.append per batch: index the batch when more than index.interval.bytes came before it. */
  private indexBatch(b: BatchInfo): void {
    this.observe(b);
    if (this.bytesSinceLastIndexEntry > this.config.indexIntervalBytes) {
      if (!this.offsetIndex.isFull) this.offsetIndex.append(b.lastOffset, b.position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += b.size;
  }

  /**
   * Appends validated, offset-assigned batches buf[start, end) at the end of the .log and indexes them. On an I/O
   * error (ENOSPC, EIO) the file is cut back to its previous size (so nothing half-written stays) and the error is
   * thrown; the segment is unchanged.
   */
  append(buf: Uint8Array, start: number, end: number): void {
    const position = this.size;
    try {
      writeFully(this.ops, this.fd, buf, start, end - start, position);
    } catch (err) {
      try {
        this.ops.ftruncate(this.fd, position);
      } catch {
        // The next append overwrites from `position` anyway; recovery cuts any leftover at the first bad CRC.
      }
      this.scanner.invalidate();
      throw err;
    }
    const b = this.scanner.info;
    const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    let p = start;
    let pos = position;
    while (p < end) {
      b.position = pos;
      b.size = 12 + view.readInt32BE(p + 8);
      b.baseOffset = view.readInt32BE(p) * 0x100000000 + view.readUInt32BE(p + 4);
      b.lastOffset = b.baseOffset + view.readInt32BE(p + 23);
      b.maxTimestamp = view.readInt32BE(p + 35) * 0x100000000 + view.readUInt32BE(p + 39);
      this.indexBatch(b);
      p += b.size;
      pos += b.size;
    }
    this.size = pos;
  }

  /** Whether the next append of `bytes` must go to a new segment (Kafka's LogSegment.shouldRoll). */
  shouldRoll(bytes: number, maxTimestamp: number, segmentBytes: number, segmentMs: number, nowMs: number): boolean {
    if (this.size > 0 && this.size > segmentBytes - bytes) return true;
    if (this.offsetIndex.isFull || this.timeIndex.isFull) return true;
    if (this.size === 0) return false;
    const waited = this.rollingBasedTimestamp >= 0 ? maxTimestamp - this.rollingBasedTimestamp : nowMs - this.createdMs;
    return waited > segmentMs;
  }

  /** The first batch whose lastOffset >= offset, at or after startPosition (index lookup, then header scan). */
  translateOffset(offset: number, startPosition = 0): BatchLocation | null {
    const from = Math.max(this.offsetIndex.lookup(offset).position, startPosition);
    let found: BatchLocation | null = null;
    this.scanner.scanHeaders(this.fd, from, this.size, (b) => {
      if (b.lastOffset < offset) return false;
      found = { ...b };
      return true;
    });
    return found;
  }

  /**
   * Where to read from `startOffset`: the batch holding it, then whole and partial batches up to maxSize bytes, never
   * past maxPosition. minOneMessage returns the first batch whole even when it is larger than maxSize (KIP-74).
   * null when no batch at or after startOffset exists below maxPosition.
   */
  read(startOffset: number, maxSize: number, maxPosition: number, minOneMessage: boolean) {
    const first = this.translateOffset(startOffset);
    if (first === null || first.position >= maxPosition) return null;
    const limit = minOneMessage ? Math.max(maxSize, first.size) : maxSize;
    return { first, position: first.position, size: Math.min(maxPosition - first.position, limit) };
  }

  /** Reads the whole batch at a location into a new buffer (timestamp searches and tests; not the fetch path). */
  readBatch(loc: { position: number; size: number }): Buffer {
    const out = Buffer.allocUnsafe(loc.size);
    readFully(this.ops, this.fd, out, 0, loc.size, loc.position);
    return out;
  }

  /** First record with timestamp >= ts and offset >= startingOffset in this segment (ListOffsets by time). */
  findOffsetByTimestamp(ts: number, startingOffset: number): TimestampOffset | null {
    const entry = this.timeIndex.lookup(ts);
    let from = this.offsetIndex.lookup(Math.max(entry.offset, startingOffset)).position;
    // A batch's maxTimestamp may come from a record below startingOffset: then try the next candidate batch.
    while (from < this.size) {
      let found: BatchLocation | null = null;
      this.scanner.scanHeaders(this.fd, from, this.size, (b) => {
        if (b.maxTimestamp < ts || b.lastOffset < startingOffset) return false;
        found = { ...b };
        return true;
      });
      if (found === null) return null;
      const loc: BatchLocation = found;
      for (const r of readRecords(this.readBatch(loc))) {
        if (r.timestamp >= ts && r.offset >= startingOffset) return { timestamp: r.timestamp, offset: r.offset };
      }
      from = loc.position + loc.size;
    }
    return null;
  }

  /**
   * The first record carrying the largest timestamp among offsets >= startingOffset, or null. When the whole segment
   * counts, the time index's last entry says which batch (one lookup); otherwise (the segment holding
   * logStartOffset) every batch from startingOffset on whose maxTimestamp could win is decoded.
   */
  findMaxTimestamp(startingOffset: number): TimestampOffset | null {
    const found: { best: TimestampOffset | null } = { best: null };
    const consider = (loc: BatchLocation) => {
      for (const r of readRecords(this.readBatch(loc))) {
        if (r.offset < startingOffset) continue;
        if (found.best === null || r.timestamp > found.best.timestamp)
          found.best = { timestamp: r.timestamp, offset: r.offset };
      }
    };
    if (startingOffset <= this.baseOffset) {
      const target = this.maxTimestampSoFar;
      const from = this.offsetIndex.lookup(this.offsetOfMaxTimestampSoFar).position;
      this.scanner.scanHeaders(this.fd, from, this.size, (b) => {
        if (b.maxTimestamp !== target) return false;
        consider({ ...b });
        return true;
      });
      return found.best;
    }
    const candidates: BatchLocation[] = [];
    this.scanner.scanHeaders(this.fd, this.offsetIndex.lookup(startingOffset).position, this.size, (b) => {
      if (b.lastOffset >= startingOffset) candidates.push({ ...b });
      return false;
    });
    candidates.sort((x, y) => y.maxTimestamp - x.maxTimestamp || x.position - y.position);
    for (const c of candidates) {
      if (found.best !== null && c.maxTimestamp < found.best.timestamp) break;
      consider(c);
    }
    return found.best;
  }

  /**
   * fdatasync of the .log if it has unflushed bytes, then the index entries written once a 4 KiB page of offset
   * index entries is pending (no fsync: see sparse-index.ts). Writing index entries on every group commit made each
   * fdatasync also flush freshly allocated index blocks (ext4 data=ordered). Unwritten entries cost at most
   * 512 x index.interval.bytes (2 MiB) of extra scanning in recovery. Both indexes are written at the same moment,
   * time index first, so after a crash the time entries at or before the last offset entry are all on disk, which
   * recovery relies on (the segment's max timestamp so far is the last of them).
   */
  flush(indexPageBytes = this.config.indexFlushBytes ?? 4096): void {
    if (this.size > this.flushedSize) {
      const size = this.size;
      this.ops.fdatasync(this.fd);
      this.flushedSize = size;
    }
    this.writeIndexPages(indexPageBytes);
  }

  /**
   * flush() for a caller that ran the fdatasync of `fd` itself (a group commit syncing many segments at once):
   * `size` is the segment's size when that fdatasync began.
   */
  synced(size: number, indexPageBytes = this.config.indexFlushBytes ?? 4096): void {
    if (size > this.flushedSize) this.flushedSize = size;
    this.writeIndexPages(indexPageBytes);
  }

  private writeIndexPages(indexPageBytes: number): void {
    if (this.offsetIndex.pendingBytes >= indexPageBytes) {
      this.timeIndex.flush();
      this.offsetIndex.flush();
    }
  }

  /** The segment stops being active: final time-index entry, flush, indexes trimmed and fsync'd (Kafka's roll). */
  onBecomeInactive(): void {
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    this.flush(0);
    this.offsetIndex.trimToValidSize();
    this.timeIndex.trimToValidSize();
  }

  /** Renames the three files to `<name>.deleted` (reads holding the fd still work) for unlinking later. */
  markDeleted(): string[] {
    const moved: string[] = [];
    this.ops.rename(this.logPath, `${this.logPath}.deleted`);
    this.logPath = `${this.logPath}.deleted`;
    moved.push(this.logPath);
    for (const index of [this.offsetIndex, this.timeIndex]) {
      index.renameTo(`${index.path}.deleted`);
      moved.push(index.path);
    }
    return moved;
  }

  close(): void {
    this.offsetIndex.close();
    this.timeIndex.close();
    this.ops.close(this.fd);
  }
}
