// Kafka's protocol error codes the broker answers with (org.apache.kafka.common.protocol.Errors), by Kafka's name.
// Storage errors arrive as names (packages/storage STORAGE_ERROR_CODES) and map to the same numbers.
import { STORAGE_ERROR_CODES, type StorageErrorCode } from '@sluice/storage';

export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_REQUIRED_ACKS: 21,
  TOPIC_AUTHORIZATION_FAILED: 29,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  KAFKA_STORAGE_ERROR: 56,
  UNKNOWN_TOPIC_ID: 100,
  INVALID_RECORD: 87,
  INCONSISTENT_TOPIC_ID: 103,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  MISMATCHED_ENDPOINT_TYPE: 114,
  UNSUPPORTED_ENDPOINT_TYPE: 115,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_GROUP_ID: 24,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  UNKNOWN_PRODUCER_ID: 59,
  PRODUCER_FENCED: 90,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  OPERATION_NOT_ATTEMPTED: 55,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

export function storageErrorCode(name: StorageErrorCode): number {
  return STORAGE_ERROR_CODES[name];
}

/**
 * KAFKA_STORAGE_ERROR exists only from Produce v4 / Fetch v6 (protocol.md §e 12); older clients get
 * NOT_LEADER_OR_FOLLOWER, which they retry after refreshing metadata, as Kafka answers them.
 */
export function storageErrorForVersion(errorCode: number, apiVersion: number, firstVersion: number): number {
  return errorCode === ErrorCode.KAFKA_STORAGE_ERROR && apiVersion < firstVersion
    ? ErrorCode.NOT_LEADER_OR_FOLLOWER
    : errorCode;
}
