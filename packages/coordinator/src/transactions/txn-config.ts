// The transaction coordinator's settings, with Kafka's broker config names and defaults.
export interface TxnCoordinatorConfig {
  /** transaction.max.timeout.ms (15 minutes): a larger InitProducerId timeout gets INVALID_TRANSACTION_TIMEOUT. */
  transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms (7 days): an idle id (no transaction open) is forgotten this long after its
   * last update. */
  transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (10 s): how often timed-out transactions abort. */
  abortTimedOutTransactionsIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms (1 hour): how often idle ids expire. */
  removeExpiredTransactionalIdsIntervalMs: number;
  /** offsets.topic.num.partitions (50): AddOffsetsToTxn adds partitionFor(groupId) of __consumer_offsets. */
  offsetsTopicNumPartitions: number;
}

export const DEFAULT_TXN_COORDINATOR_CONFIG: TxnCoordinatorConfig = {
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  abortTimedOutTransactionsIntervalMs: 10_000,
  removeExpiredTransactionalIdsIntervalMs: 3_600_000,
  offsetsTopicNumPartitions: 50,
};

/** transaction.state.log.num.partitions default: transactional ids map to partitionFor(id, 50). */
export const TRANSACTION_STATE_LOG_NUM_PARTITIONS = 50;
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
