// One transactional id's state (Kafka's TransactionMetadata) and the names and numbers of its states. The numbers
// are the `TransactionStatus` int8 of __transaction_state values (Kafka's TransactionState.id); the names are what
// ListTransactions/DescribeTransactions answer and filter on.
//   Empty -(AddPartitions/AddOffsets)-> Ongoing -(EndTxn)-> PrepareCommit|PrepareAbort -(markers written)->
//   CompleteCommit|CompleteAbort -(AddPartitions)-> Ongoing ...; InitProducerId from Empty/Complete* -> Empty with
//   the epoch bumped; expiry of an idle id -> Dead (a tombstone). PrepareEpochFence (7) is read, never written:
//   Kafka keeps it in memory only, and so do we (the timeout abort writes PrepareAbort with the bumped epoch).
// Owner: shard.

export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;

export type TxnStateValue = (typeof TxnState)[keyof typeof TxnState];

export const TXN_STATE_NAMES: readonly string[] = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
];

export function txnStateName(state: number): string {
  return TXN_STATE_NAMES[state] ?? `Unknown(${state})`;
}

/** Kafka's RecordBatch.NO_PRODUCER_EPOCH / NO_PRODUCER_ID. */
export const NO_PRODUCER_EPOCH = -1;
export const NO_PRODUCER_ID = -1n;
/** Short.MAX_VALUE - 1: an epoch at or above this is exhausted; the next bump takes a new producer id (KIP-360). */
export const EPOCH_EXHAUSTED_AT = 32_766;

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= EPOCH_EXHAUSTED_AT;
}

export interface TransactionMetadata {
  transactionalId: string;
  producerId: bigint;
  /** Producer id before the last id rollover (tagged field of value v1; -1 when unknown, e.g. loaded from v0). */
  previousProducerId: bigint;
  producerEpoch: number;
  /** In memory only (as Kafka): the epoch before the last bump, so a retried InitProducerId gets the same answer. */
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnStateValue;
  /** `${topic}\u0000${partition}` of every partition in the transaction. */
  partitions: Set<string>;
  txnStartTimestampMs: number;
  txnLastUpdateTimestampMs: number;
  /** 0 for the classic protocol; 2 when the client ended transactions with EndTxn v5 (KIP-890). */
  clientTransactionVersion: number;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function splitPartitionKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/** Partitions grouped by topic, topics and partitions sorted (stable record bytes and responses). */
export function partitionsByTopic(partitions: Iterable<string>): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const k of partitions) {
    const { topic, partition } = splitPartitionKey(k);
    let list = byTopic.get(topic);
    if (list === undefined) {
      list = [];
      byTopic.set(topic, list);
    }
    list.push(partition);
  }
  return [...byTopic.keys()]
    .sort()
    .map((topic) => ({ topic, partitions: (byTopic.get(topic) ?? []).sort((a, b) => a - b) }));
}
