// Crash-safe replacement of sealed segments by one cleaned segment (Kafka's replaceSegments), and the start-up
// rule that completes or rolls back an interrupted replacement.
//
// swapCleanedSegment(N, [O1..Ok]), O1 = N (the cleaned segment keeps the first old segment's base offset):
//   1. rename N.txnindex.cleaned (when there is one), N.index.cleaned, N.timeindex.cleaned -> .swap, then
//      N.log.cleaned -> N.log.swap (fsync dir). N.log.swap existing is the commit point: every .cleaned file was
//      fsync'd before step 1.
//   2. for O1..Ok in ascending order: rename Oi.log, .index, .timeindex, .txnindex -> +.deleted (fsync dir)
//   3. rename N.log.swap -> N.log, then N's index .swap files to their final names (fsync dir)
//
// recoverCleanerSwap(dir), before the log opens its segments:
//   a. every *.cleaned file is deleted; an index .swap of a base B whose B.log.cleaned existed is deleted too
//      (crash inside step 1: the pass is rolled back, the old segments are whole)
//   b. for each B.log.swap (crash after the commit, before step 3): its range is [B, next), next = lastOffset + 1
//      of its last batch (B when empty); every non-.swap segment file with a base offset in that range is deleted
//      (old segments, whatever their suffix), then B's .swap files take their final names
//   c. an index .swap whose log is neither .cleaned nor .swap belongs to a log already renamed in step 3: renamed
//      to its final name
//   d. every *.deleted file is deleted (no reader survives a restart), and index files without their .log
// Why b is enough: an old segment of the group that b keeps (base >= next) had every record removed by the pass
// and is kept whole, like every later segment, so the log is a consistent, partly cleaned log (offsets increasing,
// every key's latest record present); the checkpoint still says dirty and the next pass redoes the work. An old
// segment already renamed .deleted in step 2 lies before every old segment not yet renamed, so deleting it only
// removes records the pass removed.
//
// Owner: shard (swap) and start-up (recovery).
import { lastOffsetOf } from '@sluice/protocol/records/record-batch.ts';
import type { FileOps } from '../file-ops.ts';
import { SegmentBatchReader } from './segment-batch-reader.ts';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  parseSegmentFileName,
  SEGMENT_EXTENSIONS,
  type SegmentExtension,
  SWAP_SUFFIX,
  segmentFileName,
} from './segment-files.ts';

const INDEX_EXTENSIONS = ['.txnindex', '.index', '.timeindex'] as const;

/**
 * Swaps the cleaned files of `newBaseOffset` in for the old segments. Returns the `.deleted` paths of the old
 * segments' files (the log unlinks them once no reader holds them).
 */
export function swapCleanedSegment(
  ops: FileOps,
  dir: string,
  newBaseOffset: number,
  oldBaseOffsets: readonly number[],
): string[] {
  const path = (base: number, ext: SegmentExtension, suffix = '') => `${dir}/${segmentFileName(base, ext, suffix)}`;
  const indexes = INDEX_EXTENSIONS.filter((ext) => ops.exists(path(newBaseOffset, ext, CLEANED_SUFFIX)));
  for (const ext of indexes)
    ops.rename(path(newBaseOffset, ext, CLEANED_SUFFIX), path(newBaseOffset, ext, SWAP_SUFFIX));
  ops.rename(path(newBaseOffset, '.log', CLEANED_SUFFIX), path(newBaseOffset, '.log', SWAP_SUFFIX));
  ops.syncDir(dir);
  const deleted: string[] = [];
  for (const base of [...oldBaseOffsets].sort((a, b) => a - b)) {
    for (const ext of SEGMENT_EXTENSIONS) {
      const from = path(base, ext);
      if (!ops.exists(from)) continue;
      ops.rename(from, `${from}${DELETED_SUFFIX}`);
      deleted.push(`${from}${DELETED_SUFFIX}`);
    }
  }
  ops.syncDir(dir);
  ops.rename(path(newBaseOffset, '.log', SWAP_SUFFIX), path(newBaseOffset, '.log'));
  for (const ext of indexes) ops.rename(path(newBaseOffset, ext, SWAP_SUFFIX), path(newBaseOffset, ext));
  ops.syncDir(dir);
  return deleted;
}

export interface SwapRecovery {
  /** Base offsets of segments whose interrupted swap was completed. */
  completed: number[];
  /** Names of the files deleted (leftovers of passes, replaced segments, orphan indexes). */
  deleted: string[];
}

/** Completes or rolls back an interrupted cleaner swap in `dir`; call before the log lists its segments. */
export function recoverCleanerSwap(ops: FileOps, dir: string): SwapRecovery {
  const report: SwapRecovery = { completed: [], deleted: [] };
  const remove = (name: string) => {
    ops.unlink(`${dir}/${name}`);
    report.deleted.push(name);
  };
  const swapLogs = new Set<number>();
  const cleanedLogs = new Set<number>();
  for (const name of ops.readdir(dir)) {
    const f = parseSegmentFileName(name);
    if (f?.ext === '.log' && f.suffix === SWAP_SUFFIX) swapLogs.add(f.baseOffset);
    if (f?.ext === '.log' && f.suffix === CLEANED_SUFFIX) cleanedLogs.add(f.baseOffset);
  }
  // a. and c.
  for (const name of ops.readdir(dir)) {
    const f = parseSegmentFileName(name);
    if (f === null) continue;
    if (f.suffix === CLEANED_SUFFIX) remove(name);
    else if (f.suffix === SWAP_SUFFIX && f.ext !== '.log' && !swapLogs.has(f.baseOffset)) {
      if (cleanedLogs.has(f.baseOffset)) remove(name);
      else ops.rename(`${dir}/${name}`, `${dir}/${segmentFileName(f.baseOffset, f.ext)}`);
    }
  }
  // b.
  for (const base of [...swapLogs].sort((a, b) => a - b)) {
    const next = nextOffsetOf(ops, `${dir}/${segmentFileName(base, '.log', SWAP_SUFFIX)}`, base);
    for (const name of ops.readdir(dir)) {
      const f = parseSegmentFileName(name);
      if (f === null || f.suffix === SWAP_SUFFIX) continue;
      if (f.baseOffset === base || (f.baseOffset > base && f.baseOffset < next)) remove(name);
    }
    for (const ext of SEGMENT_EXTENSIONS) {
      const swap = `${dir}/${segmentFileName(base, ext, SWAP_SUFFIX)}`;
      if (ops.exists(swap)) ops.rename(swap, `${dir}/${segmentFileName(base, ext)}`);
    }
    report.completed.push(base);
  }
  // d.
  const names = ops.readdir(dir);
  const logs = new Set<number>();
  for (const name of names) {
    const f = parseSegmentFileName(name);
    if (f?.ext === '.log' && f.suffix === '') logs.add(f.baseOffset);
  }
  for (const name of names) {
    const f = parseSegmentFileName(name);
    if (f === null) continue;
    if (f.suffix === DELETED_SUFFIX || (f.suffix === '' && f.ext !== '.log' && !logs.has(f.baseOffset))) remove(name);
  }
  if (report.deleted.length > 0 || report.completed.length > 0) ops.syncDir(dir);
  return report;
}

/** Offset after the last valid batch of a log file; `baseOffset` when it holds none. */
function nextOffsetOf(ops: FileOps, path: string, baseOffset: number): number {
  const reader = new SegmentBatchReader(ops, path);
  let next = baseOffset;
  try {
    for (let v = reader.next(); v !== null; v = reader.next()) next = lastOffsetOf(v.buf, v.pos) + 1;
  } finally {
    reader.close();
  }
  return next;
}
