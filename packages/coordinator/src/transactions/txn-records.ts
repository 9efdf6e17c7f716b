// The transaction coordinator's records in __transaction_state, Kafka's formats (coordinator/TransactionLog*.json):
//   key   = int16 keyVersion (0) + TransactionLogKey { transactionalId string }
//   value = int16 valueVersion + TransactionLogValue, or null (a tombstone: the id expired)
//           v0 { producerId int64, producerEpoch int16, transactionTimeoutMs int32, transactionStatus int8,
//                transactionPartitions [{ topic string, partitionIds [int32] }] (null when Empty),
//                transactionLastUpdateTimestampMs int64, transactionStartTimestampMs int64 }
//           v1 = v0 flexible + tagged previousProducerId (0), nextProducerId (1), clientTransactionVersion (2)
//           Kafka writes v1 only for transaction version 2 clients (KIP-890), else v0; both are read.
import {
  Reader,
  readTransactionLogKey,
  readTransactionLogValue,
  sizeOfTransactionLogKey,
  sizeOfTransactionLogValue,
  type TransactionLogValue,
  Writer,
  writeTransactionLogKey,
  writeTransactionLogValue,
} from '@sluice/protocol';
import type { CoordinatorRecord } from '../records.ts';
import {
  NO_PRODUCER_EPOCH,
  partitionKey,
  partitionsByTopic,
  type TransactionMetadata,
  TxnState,
  type TxnStateValue,
} from './txn-metadata.ts';

const KEY_VERSION = 0;

export function transactionLogKey(transactionalId: string): Buffer {
  const m = { transactionalId };
  const w = new Writer(2 + sizeOfTransactionLogKey(m, KEY_VERSION));
  w.writeInt16(KEY_VERSION);
  writeTransactionLogKey(w, m, KEY_VERSION);
  return w.buf;
}

/** The record of the id's state as it stands. */
export function transactionRecord(t: TransactionMetadata): CoordinatorRecord {
  const version = t.clientTransactionVersion >= 2 ? 1 : 0;
  const value: TransactionLogValue = {
    producerId: t.producerId,
    // Tagged fields exist in v1 only; v0 cannot carry them (a rebuild from v0 forgets previousProducerId, as Kafka).
    previousProducerId: version >= 1 ? t.previousProducerId : -1n,
    nextProducerId: -1n,
    producerEpoch: t.producerEpoch,
    transactionTimeoutMs: t.txnTimeoutMs,
    transactionStatus: t.state,
    transactionPartitions:
      t.state === TxnState.Empty
        ? null
        : partitionsByTopic(t.partitions).map((p) => ({ topic: p.topic, partitionIds: p.partitions })),
    transactionLastUpdateTimestampMs: BigInt(t.txnLastUpdateTimestampMs),
    transactionStartTimestampMs: BigInt(t.txnStartTimestampMs),
    clientTransactionVersion: version >= 1 ? t.clientTransactionVersion : 0,
  };
  const w = new Writer(2 + sizeOfTransactionLogValue(value, version));
  w.writeInt16(version);
  writeTransactionLogValue(w, value, version);
  return { key: transactionLogKey(t.transactionalId), value: w.buf };
}

export function transactionTombstone(transactionalId: string): CoordinatorRecord {
  return { key: transactionLogKey(transactionalId), value: null };
}

export type DecodedTxnRecord =
  | { type: 'transaction'; transactionalId: string; value: TransactionMetadata | null }
  | { type: 'other'; keyVersion: number };

/** Decodes a record of the partition; throws on a malformed one (a corrupt log: a bug or a bad disk). */
export function decodeTxnRecord(key: Buffer, value: Buffer | null): DecodedTxnRecord {
  const kr = new Reader(key);
  const keyVersion = kr.readInt16();
  if (keyVersion !== KEY_VERSION) return { type: 'other', keyVersion };
  const { transactionalId } = readTransactionLogKey(kr, keyVersion);
  if (value === null) return { type: 'transaction', transactionalId, value: null };
  const vr = new Reader(value);
  const v = readTransactionLogValue(vr, vr.readInt16());
  const partitions = new Set<string>();
  for (const p of v.transactionPartitions ?? [])
    for (const id of p.partitionIds) partitions.add(partitionKey(p.topic, id));
  return {
    type: 'transaction',
    transactionalId,
    value: {
      transactionalId,
      producerId: v.producerId,
      previousProducerId: v.previousProducerId,
      producerEpoch: v.producerEpoch,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
      txnTimeoutMs: v.transactionTimeoutMs,
      state: v.transactionStatus as TxnStateValue,
      partitions,
      txnStartTimestampMs: Number(v.transactionStartTimestampMs),
      txnLastUpdateTimestampMs: Number(v.transactionLastUpdateTimestampMs),
      clientTransactionVersion: v.clientTransactionVersion,
    },
  };
}
