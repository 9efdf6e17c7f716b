// Kafka's transaction coordinator for one __transaction_state partition (see transaction-coordinator.ts), its
// record formats and settings. Imported as '@sluice/coordinator/transactions/index.ts'.
export {
  TransactionCoordinator,
  type TransactionCoordinatorOptions,
  type TransactionView,
  type TxnAppend,
  type TxnMarkerRequest,
} from './transaction-coordinator.ts';
export {
  CONSUMER_OFFSETS_TOPIC,
  DEFAULT_TXN_COORDINATOR_CONFIG,
  TRANSACTION_STATE_LOG_NUM_PARTITIONS,
  TRANSACTION_STATE_TOPIC,
  type TxnCoordinatorConfig,
} from './txn-config.ts';
export { errorForVersion, TxnErrorCode } from './txn-errors.ts';
export { TXN_STATE_NAMES, TxnState, type TxnStateValue, txnStateName } from './txn-metadata.ts';
export { type DecodedTxnRecord, decodeTxnRecord, transactionLogKey, transactionRecord } from './txn-records.ts';
export { TxnApiKey, txnErrorResponse } from './txn-responses.ts';
