// Kafka's error codes the transaction coordinator answers with, and the version rule of KIP-588: PRODUCER_FENCED
// (90) is new in InitProducerId v4, AddPartitionsToTxn v2, AddOffsetsToTxn v2, EndTxn v2; older versions get
// INVALID_PRODUCER_EPOCH (47) instead (Kafka's KafkaApis does this conversion per API).
export const TxnErrorCode = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  NOT_COORDINATOR: 16,
  INVALID_REQUEST: 42,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  OPERATION_NOT_ATTEMPTED: 55,
  PRODUCER_FENCED: 90,
  TRANSACTIONAL_ID_NOT_FOUND: 105,
} as const;

/** The first version of each API that knows PRODUCER_FENCED. */
const FENCED_SINCE: Record<number, number> = { 22: 4, 24: 2, 25: 2, 26: 2 };

export function errorForVersion(apiKey: number, apiVersion: number, code: number): number {
  if (code === TxnErrorCode.PRODUCER_FENCED && apiVersion < (FENCED_SINCE[apiKey] ?? 0)) {
    return TxnErrorCode.INVALID_PRODUCER_EPOCH;
  }
  return code;
}
