// A minimal file-backed partition log for the cleaner's tests: Kafka's file layout (`<base>.log` per segment, the
// last one active), appends with offsets assigned in order, explicit rolls, a reopen after a simulated crash. It
// implements CleanableLog the way the real log must, and nothing more.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BuildRecord,
  buildRecordBatch,
  type CompressionType,
  type RecordBatchHeader,
  readBatchHeader,
  readRecords,
} from '@sluice/protocol/records/record-batch.ts';
import type { SegmentInfo } from '../src/cleaner/cleanable-range.ts';
import type { CleanableLog } from '../src/cleaner/log-cleaner.ts';
import { parseSegmentFileName, segmentFileName } from '../src/cleaner/segment-files.ts';
import { recoverCleanerSwap } from '../src/cleaner/segment-swap.ts';
import { type FileOps, realFileOps } from '../src/file-ops.ts';

export interface ReadRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  batch: RecordBatchHeader;
}

const roots: string[] = [];

export function tempLogDir(): string {
  const root = fs.mkdtempSync(join(tmpdir(), 'sluice-cleaner-'));
  if (roots.length === 0)
    process.once('exit', () => {
      for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
    });
  roots.push(root);
  const dir = join(root, 'events-0');
  fs.mkdirSync(dir);
  return dir;
}

export class TestLog implements CleanableLog {
  readonly dir: string;
  logStartOffset = 0;
  logEndOffset = 0;
  private segments: SegmentInfo[] = [];
  activeSegmentBaseOffset = 0;
  private activeLargestTimestamp = -1;
  readonly replaced: Array<{ old: readonly number[]; base: number }> = [];

  constructor(dir: string) {
    this.dir = dir;
    const bases = fs
      .readdirSync(dir)
      .map(parseSegmentFileName)
      .filter((f) => f !== null && f.ext === '.log' && f.suffix === '')
      .map((f) => f!.baseOffset)
      .sort((a, b) => a - b);
    if (bases.length === 0) {
      fs.writeFileSync(this.path(0), Buffer.alloc(0));
      bases.push(0);
    }
    for (const base of bases) {
      const info = this.describe(base);
      this.segments.push(info);
    }
    const active = this.segments.pop()!;
    this.activeSegmentBaseOffset = active.baseOffset;
    this.activeLargestTimestamp = active.largestTimestamp;
    this.logEndOffset = Math.max(active.baseOffset, this.nextOffsetOf(active.baseOffset));
    this.logStartOffset = this.segments[0]?.baseOffset ?? active.baseOffset;
  }

  /** Restart after a crash: the cleaner's swap recovery, then a fresh open. */
  static reopen(dir: string, ops: FileOps = realFileOps): TestLog {
    recoverCleanerSwap(ops, dir);
    return new TestLog(dir);
  }

  path(base: number): string {
    return join(this.dir, segmentFileName(base, '.log'));
  }

  sealedSegments(): readonly SegmentInfo[] {
    return this.segments;
  }

  replaceSegments(oldBaseOffsets: readonly number[], newBaseOffset: number, deletedPaths: readonly string[]): void {
    this.replaced.push({ old: oldBaseOffsets, base: newBaseOffset });
    const first = this.segments.findIndex((s) => s.baseOffset === oldBaseOffsets[0]);
    this.segments.splice(first, oldBaseOffsets.length, this.describe(newBaseOffset));
    for (const p of deletedPaths) fs.unlinkSync(p);
  }

  append(
    records: Array<{ key: string | null; value: string | null; timestamp?: number }>,
    opts: { compression?: CompressionType; producerId?: number; baseSequence?: number; timestamp?: number } = {},
  ): number {
    const base = this.logEndOffset;
    const built: BuildRecord[] = records.map((r, i) => ({
      offsetDelta: i,
      timestamp: r.timestamp ?? opts.timestamp ?? 1_000,
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
    }));
    const batch = buildRecordBatch({
      baseOffset: base,
      compression: opts.compression ?? 0,
      producerId: opts.producerId ?? -1,
      producerEpoch: opts.producerId === undefined ? -1 : 0,
      baseSequence: opts.baseSequence ?? -1,
      records: built,
    });
    fs.appendFileSync(this.path(this.activeSegmentBaseOffset), batch);
    for (const r of built) this.activeLargestTimestamp = Math.max(this.activeLargestTimestamp, r.timestamp ?? -1);
    this.logEndOffset = base + records.length;
    return base;
  }

  roll(): void {
    if (this.logEndOffset === this.activeSegmentBaseOffset) return;
    this.segments.push(this.describe(this.activeSegmentBaseOffset));
    this.activeSegmentBaseOffset = this.logEndOffset;
    this.activeLargestTimestamp = -1;
    fs.writeFileSync(this.path(this.activeSegmentBaseOffset), Buffer.alloc(0));
  }

  activeBytes(): Buffer {
    return fs.readFileSync(this.path(this.activeSegmentBaseOffset));
  }

  /** Every record of the log, segment by segment. */
  readAll(): ReadRecord[] {
    const out: ReadRecord[] = [];
    const bases = [...this.segments.map((s) => s.baseOffset), this.activeSegmentBaseOffset];
    for (const base of bases) {
      const buf = fs.readFileSync(this.path(base));
      for (let pos = 0; pos < buf.length; ) {
        const h = readBatchHeader(buf, pos);
        for (const r of readRecords(buf, pos)) {
          out.push({
            offset: r.offset,
            timestamp: r.timestamp,
            key: r.key === null ? null : r.key.toString(),
            value: r.value === null ? null : r.value.toString(),
            batch: h,
          });
        }
        pos += 12 + h.batchLength;
      }
    }
    return out;
  }

  /** Every batch header of the log. */
  batches(): RecordBatchHeader[] {
    const out: RecordBatchHeader[] = [];
    for (const base of [...this.segments.map((s) => s.baseOffset), this.activeSegmentBaseOffset]) {
      const buf = fs.readFileSync(this.path(base));
      for (let pos = 0; pos < buf.length; pos += 12 + readBatchHeader(buf, pos).batchLength) {
        out.push(readBatchHeader(buf, pos));
      }
    }
    return out;
  }

  private describe(base: number): SegmentInfo {
    const buf = fs.readFileSync(this.path(base));
    let largestTimestamp = -1;
    for (let pos = 0; pos < buf.length; ) {
      const h = readBatchHeader(buf, pos);
      largestTimestamp = Math.max(largestTimestamp, h.maxTimestamp);
      pos += 12 + h.batchLength;
    }
    return { baseOffset: base, sizeInBytes: buf.length, largestTimestamp };
  }

  private nextOffsetOf(base: number): number {
    const buf = fs.readFileSync(this.path(base));
    let next = base;
    for (let pos = 0; pos < buf.length; ) {
      const h = readBatchHeader(buf, pos);
      next = h.baseOffset + h.lastOffsetDelta + 1;
      pos += 12 + h.batchLength;
    }
    return next;
  }
}
