// Which part of a log a cleaning pass may touch, and whether a pass is due (Kafka's LogCleanerManager
// cleanableOffsets / grabFilthiestCompactedLog), as a pure function of the sealed segments and the clock.
//
//   [logStartOffset ............ firstDirtyOffset ............ firstUncleanableOffset ........ active segment)
//        clean: cleaned before          dirty: indexed into the map      uncleanable: too new, unstable,
//        (rewritten, not indexed)       and rewritten                    or above the high watermark
//
// Ranges are whole sealed segments: the active segment is never cleaned, and a segment straddling a limit (high
// watermark, last stable offset) stays dirty with everything after it. A segment is "too new" when its
// largestTimestamp is within min.compaction.lag.ms of now; that segment and all later ones wait.
// A pass is due when dirty / (clean + dirty) > min.cleanable.dirty.ratio, or the first dirty batch is older than
// max.compaction.lag.ms, or a kept tombstone's delete horizon has passed (so it can be dropped: Kafka 3.1+).

import type { CleanerConfig } from './cleaner-config.ts';

export interface SegmentInfo {
  baseOffset: number;
  sizeInBytes: number;
  /** Largest record timestamp in the segment (its time index's last entry); -1 when unknown or empty. */
  largestTimestamp: number;
}

export interface CleanableRangeInput {
  /** Sealed segments (all but the active one), ascending base offset. */
  segments: readonly SegmentInfo[];
  activeSegmentBaseOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  /** Checkpointed first dirty offset, -1 when none. */
  checkpoint: number;
  /** Offsets at or above stay dirty: min(highWatermark, firstUnstableOffset); Infinity when unbounded. */
  uncleanableFrom: number;
  /** Timestamp of the first batch of the first dirty segment (max.compaction.lag.ms); -1 when unknown. */
  firstDirtyBatchTimestamp: number;
  /** Earliest delete horizon of a tombstone kept by an earlier pass, -1 when none is known. */
  pendingDeleteHorizonMs: number;
  nowMs: number;
  config: CleanerConfig;
}

export interface CleanableRange {
  firstDirtyOffset: number;
  /** A segment boundary (or the active segment's base offset). */
  firstUncleanableOffset: number;
  /** Index in `segments` of the first dirty segment; segments.length when none. */
  firstDirtySegment: number;
  /** Index in `segments` of the first segment that must not be cleaned. */
  firstUncleanableSegment: number;
  cleanBytes: number;
  dirtyBytes: number;
  dirtyRatio: number;
  reason: 'dirty-ratio' | 'max-compaction-lag' | 'delete-horizon' | null;
}

/** The offset at which segment i ends (the next segment's base offset, or the active segment's). */
export function segmentEndOffset(input: CleanableRangeInput, i: number): number {
  return i + 1 < input.segments.length ? input.segments[i + 1].baseOffset : input.activeSegmentBaseOffset;
}

export function cleanableRange(input: CleanableRangeInput): CleanableRange {
  const { segments, config, nowMs } = input;
  let firstDirtyOffset = input.checkpoint;
  // Kafka resets a checkpoint below the log start (retention deleted segments) or past the log end (truncation).
  if (firstDirtyOffset < input.logStartOffset || firstDirtyOffset > input.logEndOffset) {
    firstDirtyOffset = input.logStartOffset;
  }
  let firstDirtySegment = 0;
  while (firstDirtySegment < segments.length && segmentEndOffset(input, firstDirtySegment) <= firstDirtyOffset) {
    firstDirtySegment++;
  }
  let firstUncleanableSegment = firstDirtySegment;
  const lagLimit = nowMs - config.minCompactionLagMs;
  while (firstUncleanableSegment < segments.length) {
    const s = segments[firstUncleanableSegment];
    if (segmentEndOffset(input, firstUncleanableSegment) > input.uncleanableFrom) break;
    if (config.minCompactionLagMs > 0 && s.largestTimestamp > lagLimit) break;
    firstUncleanableSegment++;
  }
  const firstUncleanableOffset =
    firstUncleanableSegment < segments.length
      ? segments[firstUncleanableSegment].baseOffset
      : input.activeSegmentBaseOffset;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < firstDirtySegment; i++) cleanBytes += segments[i].sizeInBytes;
  for (let i = firstDirtySegment; i < firstUncleanableSegment; i++) dirtyBytes += segments[i].sizeInBytes;
  const total = cleanBytes + dirtyBytes;
  const dirtyRatio = total === 0 ? 0 : dirtyBytes / total;
  let reason: CleanableRange['reason'] = null;
  if (dirtyBytes > 0 && dirtyRatio > config.minCleanableDirtyRatio) reason = 'dirty-ratio';
  else if (
    dirtyBytes > 0 &&
    input.firstDirtyBatchTimestamp >= 0 &&
    nowMs - input.firstDirtyBatchTimestamp > config.maxCompactionLagMs
  ) {
    reason = 'max-compaction-lag';
  } else if (total > 0 && input.pendingDeleteHorizonMs >= 0 && nowMs >= input.pendingDeleteHorizonMs) {
    reason = 'delete-horizon';
  }
  return {
    firstDirtyOffset: Math.min(firstDirtyOffset, firstUncleanableOffset),
    firstUncleanableOffset,
    firstDirtySegment,
    firstUncleanableSegment,
    cleanBytes,
    dirtyBytes,
    dirtyRatio,
    reason,
  };
}
