// Reads of a partition log: where the bytes for a fetch are, found without copying them. A read starts at the batch
// holding fetchOffset (found by a binary search over segment base offsets, then the segment's sparse offset index
// and a header scan), takes whole batches up to maxBytes (a partial final batch is allowed, KIP-74 returns the first
// batch whole), stays within one segment and never passes its upper bound (the highWatermark's byte position, or
// the log end). A segment with nothing at or after the offset (its tail compacted away) hands over to the next.
//
// Owner: shard. Pure functions over the log's segment list; partition-log.ts holds the state.
import type { LogSegment } from './log-segment.ts';
import type { AbortedTransaction } from './transaction-index.ts';

/** Where the bytes of a fetch are; the reader reads [position, position + size) of `fd` (or `path`). */
export interface ReadResult {
  errorCode: 'NONE';
  path: string;
  fd: number;
  position: number;
  /** 0 when there is nothing to read yet (fetchOffset == the read's upper bound). */
  size: number;
  /** Base offset of the first batch returned (<= fetchOffset), -1 when size is 0. */
  firstBatchOffset: number;
  /** Whole size of that first batch (log overhead included; may exceed `size`), -1 when size is 0. */
  firstBatchSize: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** read_committed only: aborted transactions overlapping [fetchOffset, lastStableOffset), by first offset. */
  abortedTransactions?: AbortedTransaction[];
}

export interface ReadOptions {
  /** 'highWatermark' (read_uncommitted consumers, default), 'readCommitted' (stops at the lastStableOffset and
   * lists aborted transactions) or 'logEnd' (replication, tools). */
  isolation?: 'highWatermark' | 'readCommitted' | 'logEnd';
  /** Return the first batch whole even when larger than maxBytes (KIP-74). Default true. */
  minOneMessage?: boolean;
}

export interface FoundBatches {
  segment: LogSegment;
  position: number;
  size: number;
  firstBatchOffset: number;
  firstBatchSize: number;
}

/** Index of the segment holding `offset` (the last one with baseOffset <= offset); segments are ascending. */
export function segmentIndexFor(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segments[mid].baseOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The batches to return for `offset`: in the segment holding it or a later one, never past `upToPosition` of
 * `upToSegment` (nor any segment after it). null when there is nothing below that bound.
 */
export function findBatches(
  segments: readonly LogSegment[],
  offset: number,
  maxBytes: number,
  upToSegment: LogSegment,
  upToPosition: number,
  minOneMessage: boolean,
): FoundBatches | null {
  for (let i = segmentIndexFor(segments, offset); i < segments.length; i++) {
    const segment = segments[i];
    const found = segment.read(offset, maxBytes, segment === upToSegment ? upToPosition : segment.size, minOneMessage);
    if (found !== null) {
      return {
        segment,
        position: found.position,
        size: found.size,
        firstBatchOffset: found.first.baseOffset,
        firstBatchSize: found.first.size,
      };
    }
    if (segment === upToSegment) break;
  }
  return null;
}
