// ListOffsets by time over a log's segments (Kafka's UnifiedLog.fetchOffsetByTimestamp), as functions of the segment
// list so partition-log.ts stays about offsets and appends.
//   offsetForTimestamp: the first offset >= logStartOffset whose record timestamp >= ts. Segments whose largest
//     timestamp is below ts are skipped whole (every record in them is older); in the first candidate segment the
//     time index gives a start and a header scan finds the batch, which is decoded to find the record.
//   offsetOfMaxTimestamp: the first record carrying the largest timestamp at or after logStartOffset (KIP-734).
// Only offsets below the highWatermark count: a consumer must not be sent past what is durable.
import type { LogSegment } from './log-segment.ts';
import type { TimestampOffset } from './time-index.ts';

export function offsetForTimestamp(
  segments: readonly LogSegment[],
  first: number,
  logStartOffset: number,
  highWatermark: number,
  ts: number,
): TimestampOffset | null {
  for (let i = first; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.maxTimestampSoFar < ts) continue;
    const found = seg.findOffsetByTimestamp(ts, logStartOffset);
    if (found !== null) return found.offset < highWatermark ? found : null;
  }
  return null;
}

export function offsetOfMaxTimestamp(
  segments: readonly LogSegment[],
  first: number,
  logStartOffset: number,
  highWatermark: number,
): TimestampOffset | null {
  let best: TimestampOffset | null = null;
  // Largest segment maximum first; the first segment's maximum may belong to an offset below logStartOffset.
  const order = segments.slice(first).sort((a, b) => b.maxTimestampSoFar - a.maxTimestampSoFar);
  for (const seg of order) {
    const b: TimestampOffset | null = best;
    if (b !== null && seg.maxTimestampSoFar < b.timestamp) break;
    const found = seg.findMaxTimestamp(logStartOffset);
    if (found === null || found.offset >= highWatermark) continue;
    if (b === null || found.timestamp > b.timestamp || (found.timestamp === b.timestamp && found.offset < b.offset)) {
      best = found;
    }
  }
  return best;
}
