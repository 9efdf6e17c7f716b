// Rebuilds a partition's producer state when its log opens (Kafka's UnifiedLog.rebuildProducerState): the newest
// valid snapshot at or below the recovered logEndOffset, then the batches from that offset to the logEndOffset,
// read from their 61-byte headers only (producerId, producerEpoch, baseSequence, lastOffsetDelta, maxTimestamp: no
// record is decompressed). Without a usable snapshot the whole log is replayed from its first segment. Snapshots are
// written at segment roll (the new segment's base offset) and at clean close (the logEndOffset), so after a clean
// stop nothing is replayed and after a crash at most the active segment is.
// Batches without a producer (producerId -1) are skipped. Transactional batches open their producer's transaction;
// end-transaction markers (control batches: the one record is read, ~80 bytes) close it, and `onTxnCompleted` hears
// of each with the last stable offset right after it, so the caller can rebuild the aborted-transaction index from
// the same offset (snapshotOffset, or 0). A snapshot that does not decode (bad
// CRC, torn write) is deleted and the next older one is tried.
//
// Owner: shard.

import { CONTROL_TYPE_COMMIT, readEndTxnMarkerBatch } from '@sluice/protocol/records/control-record.ts';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL } from '@sluice/protocol/records/record-batch.ts';
import { BatchScanner } from './batch-scanner.ts';
import type { FileOps } from './file-ops.ts';
import type { LogSegment } from './log-segment.ts';
import { type CompletedTxn, ProducerStateManager } from './producer-state.ts';
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
  onTxnCompleted?: (txn: CompletedTxn, lastStableOffset: number) => void,
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
        if (b.lastOffset < from || b.producerId < 0) return false;
        if ((b.attributes & ATTR_CONTROL) !== 0) {
          let m: ReturnType<typeof readEndTxnMarkerBatch>;
          try {
            m = readEndTxnMarkerBatch(seg.readBatch(b));
          } catch {
            return false; // a control batch that is not an end-transaction marker: nothing to replay
          }
          const marker = { committed: m.type === CONTROL_TYPE_COMMIT, coordinatorEpoch: m.coordinatorEpoch };
          const txn = state.replayMarker(b.producerId, b.producerEpoch, b.baseOffset, marker, b.maxTimestamp);
          onTxnCompleted?.(txn, state.firstUnstableOffset() ?? txn.lastOffset + 1);
          replayed++;
          return false;
        }
        if (b.baseSequence < 0) return false;
        const transactional = (b.attributes & ATTR_TRANSACTIONAL) !== 0;
        state.replayBatch(
          b.producerId,
          b.producerEpoch,
          b.baseSequence,
          b.baseOffset,
          b.lastOffset,
          b.maxTimestamp,
          transactional,
        );
        replayed++;
        return false;
      });
    }
    state.removeExpired(nowMs);
  }
  return { state, snapshotOffset: from, replayedBatches: replayed };
}
