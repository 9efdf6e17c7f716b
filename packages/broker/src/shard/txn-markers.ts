// Writing one transaction marker on the shard that owns the partition: a control batch holding one COMMIT or ABORT
// record (buildEndTxnMarkerBatch: producerId, producerEpoch, coordinatorEpoch), appended with origin 'coordinator'
// (storage then ends the producer's open transaction, moves the lastStableOffset and, for an abort, indexes it in
// the segment's .txnindex). `done` runs once the marker is fdatasync'd: { errorCode: 0 }, or the storage error
// code. A partition this shard no longer has (deleted) answers UNKNOWN_TOPIC_OR_PARTITION, which the main thread
// counts as written (Kafka does the same for a deleted partition).
// Owner: shard.
import { buildEndTxnMarkerBatch, CONTROL_TYPE_ABORT, CONTROL_TYPE_COMMIT } from '@sluice/protocol';
import { type GroupCommit, type PartitionLog, STORAGE_ERROR_CODES } from '@sluice/storage';
import type { TxnMarker } from './shard-protocol.ts';

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const LEADER_EPOCH = 0;

export function writeTxnMarker(
  log: PartitionLog | undefined,
  marker: TxnMarker,
  commits: GroupCommit,
  done: (answer: { errorCode: number }) => void,
): void {
  if (log === undefined) {
    done({ errorCode: UNKNOWN_TOPIC_OR_PARTITION });
    return;
  }
  const batch = buildEndTxnMarkerBatch({
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    coordinatorEpoch: marker.coordinatorEpoch,
    type: marker.committed ? CONTROL_TYPE_COMMIT : CONTROL_TYPE_ABORT,
    timestamp: Date.now(),
    partitionLeaderEpoch: LEADER_EPOCH,
  });
  const r = log.append(batch, { origin: 'coordinator', partitionLeaderEpoch: LEADER_EPOCH });
  if (r.errorCode !== 'NONE') {
    done({ errorCode: STORAGE_ERROR_CODES[r.errorCode] });
    return;
  }
  commits.waitFor(log, r.lastOffset, (err) =>
    done({ errorCode: err === null ? 0 : STORAGE_ERROR_CODES[err.errorCode] }),
  );
}
