// Compaction of one partition log (cleanup.policy=compact or compact,delete), in bounded slices so the shard loop
// can call it between append turns: cleanStep(budgetBytes) reads about budgetBytes of segment data, then returns.
//
// A pass (Kafka's Cleaner.clean):
//   select    cleanable-range.ts decides whether a pass is due and where the dirty section ends
//   index     read the dirty sealed segments into the key -> latest offset map (stops early at a segment boundary
//             when the map's memory estimate is full: the pass then ends there and the rest stays dirty)
//   clean     group the sealed segments from the log start to the end of the indexed section by size (up to
//             segment.bytes, offset span < 2^31), and for each group write one cleaned segment (record-filter.ts)
//             then swap it in (segment-swap.ts) and tell the log (CleanableLog.replaceSegments)
//   finish    checkpoint = end of the indexed section (cleaner-checkpoint.ts)
// The active segment is never read or written. Appends only touch the active segment, so they interleave freely;
// before each swap the cleaner checks that the group's segments are still the log's (retention, truncation or a
// deletion between steps abandons the pass: its .cleaned files are deleted, nothing else changed).
//
// Owner: shard. One LogCleaner per compacted partition log.
import type { FileOps } from '../file-ops.ts';
import { type CleanableRange, cleanableRange, type SegmentInfo } from './cleanable-range.ts';
import { CleanedSegmentWriter } from './cleaned-segment-writer.ts';
import { readCleanerCheckpoint, writeCleanerCheckpoint } from './cleaner-checkpoint.ts';
import type { CleanerConfig } from './cleaner-config.ts';
import { KeyOffsetMap } from './key-offset-map.ts';
import { addBatchToMap, filterBatch } from './record-filter.ts';
import { SegmentBatchReader } from './segment-batch-reader.ts';
import { segmentFileName } from './segment-files.ts';
import { swapCleanedSegment } from './segment-swap.ts';

/** What the cleaner needs from a partition log (the log implements it; hooks are described in each member). */
export interface CleanableLog {
  readonly dir: string;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly activeSegmentBaseOffset: number;
  /** Every segment except the active one, ascending base offset. */
  sealedSegments(): readonly SegmentInfo[];
  /** Offsets at or above stay dirty: min(highWatermark, firstUnstableOffset). Absent: no limit. */
  firstUncleanableOffset?(): number;
  /**
   * Producer state: the last offset of the producer's last batch in the log, undefined when the producer is
   * unknown or expired. Absent: the cleaner keeps an empty batch for any producer whose later batches it has not
   * seen (safe, a few 61-byte batches more).
   */
  lastBatchOffsetOfProducer?(producerId: number): number | undefined;
  /**
   * Hook: the files are already swapped (old segments' files renamed to `deletedPaths`, the new segment's files in
   * place under their final names); replace the in-memory segments `oldBaseOffsets` by the sealed segment at
   * `newBaseOffset`, close the old ones once no reader holds them and unlink `deletedPaths` then. Must not touch
   * the old segments' files by their former names: the new segment now owns the first of those names.
   */
  replaceSegments(oldBaseOffsets: readonly number[], newBaseOffset: number, deletedPaths: readonly string[]): void;
}

export interface CleanStepResult {
  state: 'idle' | 'indexing' | 'cleaning' | 'finished' | 'aborted';
  bytesRead: number;
}

export interface CleanerStats {
  passes: number;
  aborted: number;
  segmentsSwapped: number;
  recordsRemoved: number;
  batchesDropped: number;
  corruptBatches: number;
}

interface Pass {
  range: CleanableRange;
  segments: SegmentInfo[];
  map: KeyOffsetMap;
  /** Producer id -> largest batch lastOffset seen in the dirty section (when the log has no producer state). */
  producerLast: Map<number, number>;
  /** Next dirty segment to index (index in `segments`); indexing ends at `endSegment`. */
  indexSegment: number;
  endSegment: number;
  reader: SegmentBatchReader | null;
  groups: SegmentInfo[][];
  group: number;
  groupSegment: number;
  writer: CleanedSegmentWriter | null;
  earliestHorizon: number;
}

export class LogCleaner {
  readonly log: CleanableLog;
  config: CleanerConfig;
  private readonly ops: FileOps;
  private pass: Pass | null = null;
  private checkpoint: number;
  /** Earliest delete horizon of a kept tombstone (-1 none): a pass is due once it passes. Not persisted. */
  private pendingDeleteHorizonMs = -1;
  /** Set when a segment could not be read: the log is left alone (Kafka marks it uncleanable). */
  uncleanableReason: string | null = null;
  readonly stats: CleanerStats = {
    passes: 0,
    aborted: 0,
    segmentsSwapped: 0,
    recordsRemoved: 0,
    batchesDropped: 0,
    corruptBatches: 0,
  };

  constructor(log: CleanableLog, config: CleanerConfig, ops: FileOps) {
    this.log = log;
    this.config = config;
    this.ops = ops;
    this.checkpoint = readCleanerCheckpoint(ops, log.dir);
  }

  /** The checkpointed first dirty offset (-1 before the first pass). */
  get firstDirtyOffset(): number {
    return this.checkpoint;
  }

  get busy(): boolean {
    return this.pass !== null;
  }

  /** Does about `budgetBytes` of work (at least one batch) and returns. */
  cleanStep(budgetBytes: number, nowMs: number = Date.now()): CleanStepResult {
    if (this.uncleanableReason !== null) return { state: 'idle', bytesRead: 0 };
    if (this.pass === null && !this.startPass(nowMs)) return { state: 'idle', bytesRead: 0 };
    try {
      return this.work(this.pass!, Math.max(1, budgetBytes), nowMs);
    } catch (err) {
      // A segment deleted or renamed by retention between two steps: the pass is void, the next one starts over.
      this.abort();
      if ((err as { code?: string }).code === 'ENOENT') return { state: 'aborted', bytesRead: 0 };
      throw err;
    }
  }

  private work(pass: Pass, budgetBytes: number, nowMs: number): CleanStepResult {
    let bytesRead = 0;
    while (bytesRead < budgetBytes) {
      if (pass.indexSegment < pass.endSegment) {
        bytesRead += this.indexSome(pass, budgetBytes - bytesRead);
        if (this.pass === null) return { state: 'aborted', bytesRead };
        continue;
      }
      if (pass.group < pass.groups.length) {
        bytesRead += this.cleanSome(pass, budgetBytes - bytesRead, nowMs);
        if (this.pass === null) return { state: 'aborted', bytesRead };
        continue;
      }
      this.finishPass(pass);
      return { state: 'finished', bytesRead };
    }
    return { state: pass.indexSegment < pass.endSegment ? 'indexing' : 'cleaning', bytesRead };
  }

  /** Drops the pass in progress (call before truncating or deleting the log); deletes its .cleaned files. */
  abort(): void {
    const pass = this.pass;
    if (pass === null) return;
    pass.reader?.close();
    pass.writer?.abandon();
    this.pass = null;
    this.stats.aborted++;
  }

  private startPass(nowMs: number): boolean {
    const segments = [...this.log.sealedSegments()];
    const input = {
      segments,
      activeSegmentBaseOffset: this.log.activeSegmentBaseOffset,
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.log.logEndOffset,
      checkpoint: this.checkpoint,
      uncleanableFrom: this.log.firstUncleanableOffset?.() ?? Number.POSITIVE_INFINITY,
      firstDirtyBatchTimestamp: -1,
      pendingDeleteHorizonMs: this.pendingDeleteHorizonMs,
      nowMs,
      config: this.config,
    };
    let range = cleanableRange(input);
    if (range.reason === null && range.dirtyBytes > 0 && this.config.maxCompactionLagMs < Number.MAX_SAFE_INTEGER) {
      input.firstDirtyBatchTimestamp = this.firstBatchTimestamp(segments[range.firstDirtySegment].baseOffset);
      range = cleanableRange(input);
    }
    if (range.reason === null) return false;
    this.pass = {
      range,
      segments: segments.slice(0, range.firstUncleanableSegment),
      map: new KeyOffsetMap(this.config.offsetMapBytes),
      producerLast: new Map(),
      indexSegment: range.firstDirtySegment,
      endSegment: range.firstUncleanableSegment,
      reader: null,
      groups: [],
      group: 0,
      groupSegment: 0,
      writer: null,
      earliestHorizon: -1,
    };
    if (range.firstDirtySegment >= range.firstUncleanableSegment) this.groupSegments(this.pass);
    return true;
  }

  private logPath(baseOffset: number): string {
    return `${this.log.dir}/${segmentFileName(baseOffset, '.log')}`;
  }

  /** maxTimestamp of the segment's first batch (Kafka's firstBatchTimestamp), -1 when unreadable or empty. */
  private firstBatchTimestamp(baseOffset: number): number {
    const reader = new SegmentBatchReader(this.ops, this.logPath(baseOffset));
    try {
      const v = reader.next();
      return v === null ? -1 : v.buf.readInt32BE(v.pos + 35) * 0x100000000 + v.buf.readUInt32BE(v.pos + 39);
    } finally {
      reader.close();
    }
  }

  private indexSome(pass: Pass, budget: number): number {
    let read = 0;
    const segment = pass.segments[pass.indexSegment];
    pass.reader ??= new SegmentBatchReader(this.ops, this.logPath(segment.baseOffset));
    while (read < budget) {
      const v = pass.reader.next();
      if (v === null) break;
      read += v.size;
      if (!addBatchToMap(v.buf, v.pos, pass.map)) this.stats.corruptBatches++;
      const producerId = v.buf.readInt32BE(v.pos + 43) * 0x100000000 + v.buf.readUInt32BE(v.pos + 47);
      if (producerId >= 0) {
        const lastOffset = v.buf.readInt32BE(v.pos) * 0x100000000 + v.buf.readUInt32BE(v.pos + 4);
        pass.producerLast.set(producerId, lastOffset + v.buf.readInt32BE(v.pos + 23));
      }
    }
    if (!pass.reader.done) return read;
    const error = pass.reader.error;
    pass.reader.close();
    pass.reader = null;
    if (error !== null) {
      this.uncleanableReason = error;
      this.abort();
      return read;
    }
    pass.indexSegment++;
    // A full map ends the indexed section at this segment boundary; the rest stays dirty for the next pass.
    if (pass.map.full) pass.endSegment = pass.indexSegment;
    if (pass.indexSegment >= pass.endSegment) this.groupSegments(pass);
    return Math.max(read, 1);
  }

  /** Kafka's groupSegmentsBySize over the segments up to the end of the indexed section. */
  private groupSegments(pass: Pass): void {
    const segments = pass.segments.slice(0, pass.endSegment);
    const groups: SegmentInfo[][] = [];
    let i = 0;
    while (i < segments.length) {
      const group = [segments[i]];
      let bytes = segments[i].sizeInBytes;
      i++;
      while (i < segments.length) {
        const end = i + 1 < pass.segments.length ? pass.segments[i + 1].baseOffset : this.log.activeSegmentBaseOffset;
        if (bytes + segments[i].sizeInBytes > this.config.segmentBytes) break;
        if (end - 1 - group[0].baseOffset > 0x7fffffff) break;
        bytes += segments[i].sizeInBytes;
        group.push(segments[i]);
        i++;
      }
      groups.push(group);
    }
    pass.groups = groups;
  }

  private isLastBatchOfProducer(pass: Pass, producerId: number, lastOffset: number): boolean {
    if (this.log.lastBatchOffsetOfProducer) return this.log.lastBatchOffsetOfProducer(producerId) === lastOffset;
    const seen = pass.producerLast.get(producerId);
    return seen === undefined || seen <= lastOffset;
  }

  private cleanSome(pass: Pass, budget: number, nowMs: number): number {
    const group = pass.groups[pass.group];
    pass.writer ??= new CleanedSegmentWriter(this.ops, this.log.dir, group[0].baseOffset, this.config);
    const ctx = {
      map: pass.map,
      nowMs,
      deleteRetentionMs: this.config.deleteRetentionMs,
      isLastBatchOfProducer: (pid: number, last: number) => this.isLastBatchOfProducer(pass, pid, last),
    };
    let read = 0;
    while (read < budget && pass.groupSegment < group.length) {
      pass.reader ??= new SegmentBatchReader(this.ops, this.logPath(group[pass.groupSegment].baseOffset));
      const v = pass.reader.next();
      if (v === null) {
        const error = pass.reader.error;
        pass.reader.close();
        pass.reader = null;
        if (error !== null) {
          this.uncleanableReason = error;
          this.abort();
          return read;
        }
        pass.groupSegment++;
        continue;
      }
      read += v.size;
      const r = filterBatch(v.buf, v.pos, ctx);
      this.stats.recordsRemoved += r.recordsRemoved;
      if (r.corrupt) this.stats.corruptBatches++;
      if (r.tombstonesRetained > 0 && (pass.earliestHorizon < 0 || r.deleteHorizonMs < pass.earliestHorizon)) {
        pass.earliestHorizon = r.deleteHorizonMs;
      }
      if (r.action === 'drop') this.stats.batchesDropped++;
      else if (r.action === 'keep') pass.writer.append(v.buf, v.pos, v.size);
      else pass.writer.append(r.batch!, 0, r.batch!.length);
    }
    if (pass.groupSegment >= group.length) this.swapGroup(pass, group);
    return Math.max(read, 1);
  }

  private swapGroup(pass: Pass, group: SegmentInfo[]): void {
    const writer = pass.writer!;
    pass.writer = null;
    const current = this.log.sealedSegments();
    const unchanged = group.every((s) =>
      current.some((c) => c.baseOffset === s.baseOffset && c.sizeInBytes === s.sizeInBytes),
    );
    if (!unchanged) {
      writer.abandon();
      this.abort();
      return;
    }
    const txn = this.concatTxnIndexes(group);
    writer.setTxnIndex(txn);
    writer.finish();
    const oldBases = group.map((s) => s.baseOffset);
    const deleted = swapCleanedSegment(this.ops, this.log.dir, writer.baseOffset, oldBases);
    this.log.replaceSegments(oldBases, writer.baseOffset, deleted);
    this.stats.segmentsSwapped += group.length;
    pass.group++;
    pass.groupSegment = 0;
  }

  private concatTxnIndexes(group: SegmentInfo[]): Buffer {
    const parts: Buffer[] = [];
    for (const s of group) {
      const path = `${this.log.dir}/${segmentFileName(s.baseOffset, '.txnindex')}`;
      if (this.ops.exists(path)) parts.push(this.ops.readFile(path));
    }
    return Buffer.concat(parts);
  }

  private finishPass(pass: Pass): void {
    const end =
      pass.endSegment < pass.segments.length
        ? pass.segments[pass.endSegment].baseOffset
        : pass.range.firstUncleanableOffset;
    const firstDirty = Math.max(end, pass.range.firstDirtyOffset);
    writeCleanerCheckpoint(this.ops, this.log.dir, firstDirty);
    this.checkpoint = firstDirty;
    this.pendingDeleteHorizonMs = pass.earliestHorizon;
    this.pass = null;
    this.stats.passes++;
  }
}
