// Rebuilds a partition's producer state when its log opens (Kafka's UnifiedLog.rebuildProducerState): the newest
// valid snapshot at or below the recovered logEndOffset, then the batches from that offset to the logEndOffset,
// read from their 61-byte headers only (producerId, producerEpoch, baseSequence, lastOffsetDelta, maxTimestamp: no
// record is decompressed). Without a usable snapshot the whole log is replayed from its first segment. Snapshots are
// written at segment roll (the new segment's base offset) and at clean close (the logEndOffset), so after a clean
// stop nothing is replayed and after a crash at most the active segment is.
// Batches without a sequence (producerId -1, control batches) are skipped. A snapshot that does not decode (bad
// CRC, torn write) is deleted and the next older one is tried.
//
// Owner: shard.
import { BatchScanner } from './batch-scanner.ts';
import type { FileOps } from './file-ops.ts';
import type { LogSegment } from './log-segment.ts';
import { ProducerStateManager } from './producer-state.ts';
import { decodeProducerSnapshot } from './producer-state-snapshot-format.ts';
import type { ProducerStateSnapshots } from './producer-state-snapshots.ts';

export interface ProducerStateRecovery {
  state: ProducerStateManager;
  /** Offset of the snapshot used, -1 when the log was replayed from its start. */
  snapshotOffset: number;
  /** Batches replayed from the log. */
  replayedBatches: number;
}

export function recoverProducerState(
  ops: FileOps,
  snapshots: ProducerStateSnapshots,
  segments: readonly LogSegment[],
  logEndOffset: number,
  expirationMs: number,
  nowMs: number,
): ProducerStateRecovery {
  const state = new ProducerStateManager(expirationMs);
  let from = -1;
  for (;;) {
    const latest = snapshots.latestAtOrBelow(logEndOffset);
    if (latest === null) break;
    const entries = decodeProducerSnapshot(latest.content);
    if (entries !== null) {
      for (const e of entries) state.loadEntry(e, nowMs);
      from = latest.offset;
      break;
    }
    ops.unlink(snapshots.pathOf(latest.offset));
  }
  let replayed = 0;
  if (from < logEndOffset) {
    const scanner = new BatchScanner(ops);
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      const next = i + 1 < segments.length ? segments[i + 1].baseOffset : logEndOffset;
      if (next <= from || seg.size === 0) continue;
      const start = from > seg.baseOffset ? (seg.translateOffset(from)?.position ?? seg.size) : 0;
      scanner.scanHeaders(seg.fd, start, seg.size, (b) => {
        if (b.lastOffset < from || b.baseSequence < 0) return false;
        state.replayBatch(b.producerId, b.producerEpoch, b.baseSequence, b.baseOffset, b.lastOffset, b.maxTimestamp);
        replayed++;
        return false;
      });
    }
    state.removeExpired(nowMs);
  }
  return { state, snapshotOffset: from, replayedBatches: replayed };
}
